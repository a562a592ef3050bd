/**
 * `dagflow/arrow`: the batch executor and Arrow export. Loading this entry loads `apache-arrow`
 * (an optional peer dependency); the core entry `dagflow` never does.
 *
 * @since 0.2.0
 */
export { ArrowBatchExecutor } from './executor.js'
export type { ArrowBatchExecutorOptions, ArrowMapResult } from './executor.js'
export { toArrow } from './table.js'
export type { OutputName, ToArrowOptions } from './table.js'
