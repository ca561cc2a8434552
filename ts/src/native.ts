// The generated napi-rs loader at the package root picks the prebuilt addon for this
// platform. Types come from the generated index.d.ts; the runtime path is relative to dist/.
import type * as Binding from '../../index'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const native = require('../index.js') as typeof Binding

export default native
