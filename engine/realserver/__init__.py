"""The real-server test layer: Elastic's integ-test build of Elasticsearch from Maven Central.

Proof limit: this build has the server and four modules (apm, transport-netty4, x-pack-core,
x-pack-security). It proves that the project's elasticsearch.yml, certificates, password hand-over
and API bodies are accepted by a real 8.19 node; it cannot prove anything about the modules it lacks
(see ``absent_modules``) nor about the official image itself.
"""
