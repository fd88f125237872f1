"""Network architectures and their weights, shared by the feature and model stages (torch imported lazily)."""
