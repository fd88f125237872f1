"""Dataset difficulty estimation for 3D medical image classification."""

__version__ = "0.1.0"
