/**
 * Type-level helpers shared by the node and pipeline checks. Types only.
 *
 * @since 0.1.0
 */

/**
 * Flattens an intersection of records into one record, so hovers and errors show plain shapes.
 *
 * @category models
 * @since 0.1.0
 */
export type Simplify<T> = { [K in keyof T]: T[K] } & {}

/**
 * A compile-time error. A parameter typed as `DagflowTypeError<'…'>` accepts no value, so the
 * compiler reports the message at the offending call, naming the output or parameter involved.
 *
 * @example
 * import type { DagflowTypeError } from 'dagflow'
 * type E = DagflowTypeError<'keyAttr requires mapAxis'>
 * const e: E = { __dagflowTypeError__: 'keyAttr requires mapAxis' }
 * e.__dagflowTypeError__ // => 'keyAttr requires mapAxis'
 * @category models
 * @since 0.1.0
 */
export interface DagflowTypeError<Msg extends string> {
  readonly __dagflowTypeError__: Msg
}

/** @internal */
export type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never

/** @internal true when U is a union of two or more members */
export type IsUnion<U, C = U> = [U] extends [never]
  ? false
  : U extends unknown
    ? [C] extends [U]
      ? false
      : true
    : false
