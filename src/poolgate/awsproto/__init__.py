"""AWS wire protocols: the only code that knows how requests and errors look on the wire."""
