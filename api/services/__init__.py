"""What the routers call: the service's steps, apart from HTTP routing.

`pipeline` checks an upload or a region's stored roster through the library's one pipeline
(`orgmodel.pipeline`); `uploads` reads a request's roster and parses it in a worker
(api.parsing) under the upload limits; `charts` draws a checked roster; `jobs` runs what is
too large to answer at once. Routers import services, never one another.
"""
