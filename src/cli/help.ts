/**
 * The help texts of `dagflow`, `dagflow graph` and `dagflow run`.
 *
 * @since 0.3.0
 */

const MODULE_NOTE = `MODULE is a path, relative to the current directory, to a TypeScript module (.ts, .mts,
.cts; loaded with tsx, an optional peer: npm install -D tsx) or a JavaScript module (.js, .mjs,
.cjs). MODULE#name picks the export "name"; a bare MODULE takes the default export if it is a
pipeline, else the module's only exported pipeline.`

const EXIT_CODES = `Exit codes:
  0    success
  1    the run failed (stderr names the node and the item's key) or an input file is
       unreadable or malformed (stderr names file:line)
  2    bad usage: unknown command or option, bad value, a module or export that is missing
       or not a pipeline, a missing optional dependency
  3    run --on-error collect: the run completed, but some items failed; the output file
       holds the others, the failures are in --errors FILE or on stderr
  130  interrupted (Ctrl-C); the output file is left as it was`

export const MAIN_HELP = `Usage: dagflow <command> MODULE[#export] [options]

Commands:
  graph    write the pipeline's graph to stdout (Mermaid, DOT or SVG)
  run      map the pipeline over the items of a file, write the per-item outputs to a file

Options:
  -h, --help       show this help; dagflow <command> --help shows a command's options
  -v, --version    print dagflow's version

${MODULE_NOTE}

Examples:
  dagflow graph examples/retrieval.ts --format svg > graph.svg
  dagflow run examples/retrieval.ts --input examples/data/queries.jsonl --output out.jsonl

${EXIT_CODES}
`

export const GRAPH_HELP = `Usage: dagflow graph MODULE[#export] [--format mermaid|dot|svg]

Writes the pipeline's graph to stdout: inputs as rounded boxes (dashed when bound), nodes as
boxes (double-bordered in DOT and SVG, subroutine-shaped in Mermaid when they run once per item).

Options:
  -f, --format FORMAT   mermaid (default): a Mermaid flowchart
                        dot: Graphviz DOT text
                        svg: an SVG picture laid out by Graphviz, compiled to WebAssembly
                             (the optional peer @hpcc-js/wasm-graphviz; nothing is downloaded)
  -h, --help            show this help

${MODULE_NOTE}

Examples:
  dagflow graph examples/retrieval.ts
  dagflow graph examples/retrieval.ts#retrieval --format svg > graph.svg

${EXIT_CODES}
`

export const RUN_HELP = `Usage: dagflow run MODULE[#export] --input FILE --output FILE [options]

Maps the pipeline over the items in --input: each item is one value of the pipeline's map axis.
Per-item outputs go to --output, one row per item; outputs computed once (reduces) go to
stdout as one JSON object.

Options:
  -i, --input FILE       the map-axis items: .jsonl (one JSON value per line; blank lines are
                         skipped), .json (an array), or .arrow (Arrow IPC, one item per row)
  -o, --output FILE      .jsonl: one row per item, {"key": k, "<output>": value, ...}
                         .arrow: an Arrow IPC file with a "key" column, then one column per output
                         Written to a temporary file and renamed: a failed run leaves an existing
                         file untouched.
  -m, --mode MODE        auto (default): Arrow batches for large inputs of pipelines with batch
                         forms, else local; local; or arrow (needs apache-arrow)
  -b, --batch-size N     items per Arrow batch (default 1024)
  -c, --concurrency N    most node calls in flight at once, for async nodes (default 16)
  -s, --set NAME=JSON    a constant input, as JSON (repeatable): --set top_k=5
                         --set 'label="text"'. Overrides the module's exported \`inputs\`.
  -p, --progress         draw a progress bar on stderr (when stderr is a terminal)
      --on-error MODE    fail (default): the first failed item stops the run (exit 1) and
                         nothing is written; collect: keep going past failed items, write (and
                         reduce over) only the items that succeeded, exit 3 if any failed, 0
                         if none did
      --errors FILE      with --on-error collect: list the failed items in FILE (.jsonl), one
                         row each, {"key", "index", "node", "code", "message"}, in input order
                         (an empty file when none failed). Without it, each failed item is a
                         line on stderr naming its key and node.
      --cache PATH       keep results in the SQLite file PATH (dagflow/cache; needs
                         better-sqlite3) and reuse them: a rerun computes only what changed,
                         and a killed run resumes from what it had committed
  -h, --help             show this help

Constants: the module's export named \`inputs\` (an object; entries that are not inputs of
the pipeline are ignored), then each --set on top of it.

JSON output: values are written exactly or not at all. -0 is written as -0; a property whose
value is undefined is left out; NaN, ±Infinity, bigint, Map, Set, typed arrays and class
instances (without toJSON) fail the run, naming the output, key and path: write .arrow instead.

${MODULE_NOTE}

Examples:
  dagflow run examples/retrieval.ts --input examples/data/queries.jsonl --output out.jsonl
  dagflow run examples/retrieval.ts -i examples/data/queries.jsonl -o out.arrow --set top_k=3
  dagflow run examples/retrieval.ts -i examples/data/queries.jsonl -o out.jsonl \\
    --on-error collect --errors failed.jsonl

${EXIT_CODES}
`
