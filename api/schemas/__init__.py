"""The service's request and response models, a module per stored resource, each family side by
side: `XCreate` (the body of a POST), `XUpdate` (of a PATCH, or of the PUT that replaces it
whole), `XPublic` (what is answered) and `XPage` (a list of them: `items`, `total`, `next`).

Every request body derives from `body.Body`, which refuses unknown fields and text the registry
does not store. The repository (api.registry) hands back the `XPublic` records themselves.
"""
