"""API Gateway REST APIs: the domain model, the YAML and OpenAPI loaders."""
