/**
 * The retrieval demo under the name the command-line docs use:
 * `npx dagflow graph examples/retrieval.ts --format svg`. Everything lives in ./01-retrieval.ts.
 */
export * from './01-retrieval.js'
export { default } from './01-retrieval.js'
