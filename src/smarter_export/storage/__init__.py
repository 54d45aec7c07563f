"""Where export files live (a local folder, or object storage) and the signed links to them."""
