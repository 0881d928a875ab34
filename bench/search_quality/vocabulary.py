"""Moved to portal.search.vocabulary, where the portal uses it; re-exported (private names too) so
the research scripts in this folder still run unchanged."""
import portal.search.vocabulary as _moved

globals().update({k: v for k, v in vars(_moved).items() if not k.startswith("__")})
