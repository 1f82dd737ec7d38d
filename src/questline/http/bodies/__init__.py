"""The shapes of the API's request and reply bodies (msgspec structs): the OpenAPI
document's schemas are generated from them."""
