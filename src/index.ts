/**
 * DAGFlow: typed computational DAGs from plain functions.
 *
 * @since 0.1.0
 */
export {
  AbortError,
  ArrowUnavailableError,
  ListenerError,
  TimeoutError,
  CacheFileError,
  CycleError,
  DAGFLOW_ERROR_CODES,
  DagflowError,
  DuplicateKeyError,
  DuplicateOutputError,
  GraphError,
  isDagflowError,
  MissingInputError,
  MissingKeyError,
  NodeError,
  UnreadableParamsError,
  ValidationError,
} from './errors.js'
export type { AnyDagflowError, DagflowErrorCode } from './errors.js'
export { isNode, node, NodeTypeId } from './node.js'
export type {
  AcceptedDepsOf,
  AnyNode,
  BatchContext,
  BatchFn,
  Column,
  DepsOf,
  Node,
  NodeContext,
  NodeFn,
  NodeSpec,
  DepsParam,
  ResultOf as NodeResultOf,
  RetryPolicy,
} from './node.js'
export { isPipeline, pipeline, PipelineTypeId } from './pipeline.js'
export type {
  AnyPipeline,
  CheckPipeline,
  MapInputs,
  MapOutputs,
  Pipeline,
  RunInputs,
  RunOutputs,
} from './pipeline.js'
export type {
  Executor,
  ItemFailure,
  Key,
  MapResult,
  MappablePipeline,
  RunOptions,
} from './executor.js'
export type { DagflowEvent, EventListener, NodeStats, RunStats } from './events.js'
export { LocalExecutor } from './executors/local.js'
export type { LocalExecutorOptions } from './executors/local.js'
export { createRunner, DEFAULT_AUTO_THRESHOLD } from './runner.js'
export { memoryCache } from './cache.js'
export type { CacheStore } from './cache.js'
/**
 * The engine behind every executor, for `dagflow/arrow`. Internal: not part of the public API,
 * and it may change in any release.
 *
 * @internal
 */
export { evaluate as unstable_evaluate, resultOutputs as unstable_resultOutputs } from './internal/engine.js'
export { toTaskEither as unstable_toTaskEither } from './executor.js'
export { checkCount as unstable_checkCount, checkOptions as unstable_checkOptions } from './internal/limit.js'
export { describeValue as unstable_describeValue } from './errors.js'
export { requirePeer as unstable_requirePeer } from './internal/peer.js'
export type { EngineOptions as UnstableEngineOptions } from './internal/engine.js'
export type { PlanOutput as UnstablePlanOutput } from './plan.js'
export type { Runner, RunnerOptions } from './runner.js'
export type { DagflowTypeError, Simplify } from './type-utils.js'
