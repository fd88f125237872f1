"""Dataset difficulty estimation for 3D medical image classification."""

__version__ = "0.2.0"
