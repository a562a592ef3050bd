/** Short builders of Arrow column descriptors, shared by the schema and vector tests. */
import type { Descriptor } from '../src/executors/arrow/schema.js'

export const F64 = { kind: 'float64', nullable: false } as const
export const UTF8 = { kind: 'utf8', nullable: false } as const
export const BOOL = { kind: 'bool', nullable: false } as const
export const JS = { kind: 'js' } as const
export const NULL = { kind: 'null' } as const
export const nullable = (d: Descriptor): Descriptor => ({ ...d, nullable: true }) as Descriptor
export const field = (name: string, type: Descriptor, optional = false) => ({ name, type, optional })
export const struct = (...fields: Array<ReturnType<typeof field>>): Descriptor => ({
  kind: 'struct',
  fields,
  nullable: false,
})
export const list = (items: Descriptor): Descriptor => ({ kind: 'list', items, nullable: false })
export const map = (values: Descriptor): Descriptor => ({ kind: 'map', values, nullable: false })
export const dict = (...values: Array<string>): Descriptor => ({
  kind: 'dictionary',
  values,
  nullable: false,
})
