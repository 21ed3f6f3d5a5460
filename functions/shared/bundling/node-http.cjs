// Bundles alias `node:http` here (infra/constructs/follow-up-function.ts). An ESM import of a
// built-in makes Node build a namespace of all its exports, and reading node:http's WebSocket
// getter loads Node's whole fetch stack (undici): 15 ms of every cold start, for nothing the
// functions use. A require() of the same module reads no getter.
// biome-ignore lint/style/useNodejsImportProtocol: `node:http` would resolve to this file again; `http` is the same module.
module.exports = require('http');
