/**
 * `dagflow/testing`: property-test your own nodes. Derives fast-check arbitraries from io-ts
 * codecs and checks that a node's `batch` form agrees with its `fn`. Loading this entry loads
 * `fast-check` (an optional peer dependency); the core entry `dagflow` never does.
 *
 * @since 0.2.0
 */
export { arbitrary, inputsArbitrary } from './arbitrary.js'
export type {
  ArbitraryOptions,
  AcceptedParamsOf,
  InputsArbitraryOptions,
  ParamArbitraries,
  ParamsOf,
} from './arbitrary.js'
export { checkBatch } from './check-batch.js'
export type { CheckBatchOptions } from './check-batch.js'
export { BatchCheckError, MissingArbitraryError } from './errors.js'
export type { BatchCheckFailure, MissingArbitraryReason } from './errors.js'
