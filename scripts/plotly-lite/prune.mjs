// Streamlit's plotly chunk with only the trace modules the dashboard draws (issue 32).
//
//   node scripts/plotly-lite/prune.mjs <PlotlyChart.<hash>.js> <out.js> lib/bar.js lib/choropleth.js ...
//
// Streamlit 1.67's chunk embeds plotly.min.js 4.2.0 whole: a UMD factory whose body is plotly's own esbuild
// bundle, one `var X = wrapper({"<source path>"(...){...}})` per source module (CommonJS and ES modules alike),
// functions and `export` helper calls hoisted beside them, and at the end `lib/index.js`, which registers every
// trace type (`n.register([Iu(), hee(), ...])`). This keeps the entries of that list named on the command line
// (plotly's core registers scatter itself) and then only what the kept code can reach: a top-level declaration
// stays when any kept code names it (eslint-scope resolves every name, so a local variable of the same name is
// not mistaken for it), everything else in the chunk is left byte for byte. Nothing is re-minified.
//
// Fails (exit 1) when the chunk is not shaped like that. Prints a JSON summary on stdout.
import fs from 'node:fs';
import * as acorn from 'acorn';
import * as eslintScope from 'eslint-scope';

function fail(message) {
  console.error(`prune.mjs: ${message}`);
  process.exit(1);
}

const [input, output, ...keepPaths] = process.argv.slice(2);
if (!input || !output || keepPaths.length === 0) fail('usage: prune.mjs <chunk> <out> <lib/trace.js>...');
const src = fs.readFileSync(input, 'utf8');
const ast = acorn.parse(src, {ecmaVersion: 'latest', sourceType: 'module', ranges: true}); // ranges: eslint-scope's

function children(node) {
  const out = [];
  for (const key in node) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child.type === 'string') out.push(child);
    } else if (value && typeof value.type === 'string') out.push(value);
  }
  return out;
}

function find(root, predicate) {
  const stack = [root];
  while (stack.length) {
    const node = stack.pop();
    if (predicate(node)) return node;
    stack.push(...children(node));
  }
  return null;
}

const keyOf = (property) => (property.key.type === 'Literal' ? property.key.value : property.key.name);

// plotly's entry module, and the bundle's body: the block whose last statement returns it.
const entry = find(ast, (n) => n.type === 'Property' && n.key.type === 'Literal' && n.key.value === 'lib/index.js');
if (!entry) fail('no "lib/index.js" module: not a chunk with plotly.js inside');
const factory = find(ast, (n) => n.type === 'ArrowFunctionExpression' && n.body.type === 'BlockStatement'
  && n.body.body.length > 100 && n.body.start < entry.start && entry.end < n.body.end
  && n.body.body.at(-1).type === 'ReturnStatement' && n.body.body.at(-1).start < entry.start);
if (!factory) fail("plotly's bundle body (a block ending in `return <lib/index.js>`) not found");
const body = factory.body;
const last = body.body.at(-1);
const register = find(entry, (n) => n.type === 'CallExpression' && n.callee.type === 'MemberExpression'
  && n.callee.property.name === 'register' && n.arguments.length === 1 && n.arguments[0].type === 'ArrayExpression');
if (!register) fail('lib/index.js has no register([...]) call');
const list = register.arguments[0];

// The top-level items of the body: declarators, function declarations, `export` helper calls, anything else.
const items = [];
for (const statement of body.body) {
  if (statement.type === 'VariableDeclaration') {
    for (const d of statement.declarations) {
      if (d.id.type !== 'Identifier') fail(`destructuring at the bundle's top level: ${src.slice(d.start, d.start + 60)}`);
      items.push({start: d.start, end: d.end, node: d, kind: 'var', name: d.id.name});
    }
  } else if (statement.type === 'FunctionDeclaration') {
    items.push({start: statement.start, end: statement.end, node: statement, kind: 'function', name: statement.id.name});
  } else if (isExport(statement)) {
    const name = statement.expression.arguments[0].name;
    items.push({start: statement.start, end: statement.end, node: statement, kind: 'export', name});
  } else {
    items.push({start: statement.start, end: statement.end, node: statement, kind: 'other'});
  }
}

// esbuild's __export(namespace, {name: () => binding, ...}): fills a module's namespace object, nothing else.
function isExport(statement) {
  if (statement.type !== 'ExpressionStatement' || statement.expression.type !== 'CallExpression') return false;
  const args = statement.expression.arguments;
  return args.length === 2 && args[0].type === 'Identifier' && args[1].type === 'ObjectExpression'
    && args[1].properties.every((p) => p.type === 'Property' && p.value.type === 'ArrowFunctionExpression'
      && p.value.body.type === 'Identifier');
}

// esbuild's module wrappers (__commonJS, __esm): called with one {"<path>"(...){...}} object, many times.
const wrapped = new Map();
for (const item of items) {
  const init = item.kind === 'var' ? item.node.init : null;
  if (init && init.type === 'CallExpression' && init.callee.type === 'Identifier' && init.arguments.length === 1
      && init.arguments[0].type === 'ObjectExpression' && init.arguments[0].properties.length === 1
      && init.arguments[0].properties[0].key.type === 'Literal') {
    item.path = keyOf(init.arguments[0].properties[0]);
    wrapped.set(init.callee.name, (wrapped.get(init.callee.name) || 0) + 1);
  }
}
const wrappers = new Set([...wrapped].filter(([, count]) => count >= 20).map(([name]) => name));
if (wrappers.size === 0) fail('no module wrappers (__commonJS / __esm) at the top level');

// Dropping an unused item must change nothing: declarators whose value costs nothing to compute, functions, exports.
function pure(node) {
  if (!node) return true;
  switch (node.type) {
    case 'Literal': case 'Identifier': case 'FunctionExpression': case 'ArrowFunctionExpression': return true;
    case 'TemplateLiteral': return node.expressions.length === 0;
    case 'MemberExpression': return !node.computed && (node.object.type === 'Identifier' || pure(node.object))
      && node.object.type !== 'CallExpression';
    case 'ObjectExpression': return node.properties.every((p) => p.type === 'Property' && !p.computed && pure(p.value));
    case 'ArrayExpression': return node.elements.every((e) => e && pure(e));
    case 'UnaryExpression': return node.operator !== 'delete' && pure(node.argument);
    case 'CallExpression': return node.callee.type === 'Identifier' && wrappers.has(node.callee.name)
      && node.arguments.length === 1 && node.arguments[0].type === 'ObjectExpression';
    default: return false;
  }
}
for (const item of items) item.root = item.kind === 'other' || (item.kind === 'var' && !pure(item.node.init));

const definitions = new Map(); // name -> its declarators and function declarations
const exportsOf = new Map(); // name -> the export calls that fill it
for (const item of items) {
  if (!item.name) continue;
  const table = item.kind === 'export' ? exportsOf : definitions;
  if (!table.has(item.name)) table.set(item.name, []);
  table.get(item.name).push(item);
}

const sorted = [...items].sort((a, b) => a.start - b.start);
function itemAt(position) {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const middle = (lo + hi) >> 1;
    const item = sorted[middle];
    if (position < item.start) hi = middle - 1;
    else if (position >= item.end) lo = middle + 1;
    else return item;
  }
  return null;
}

// Every reference (read or write) to a top-level name, resolved by scope: an edge from the item it is in.
const scope = eslintScope.analyze(ast, {ecmaVersion: 2022, sourceType: 'module'}).acquire(factory);
if (!scope) fail("no scope for plotly's bundle body");
const edges = new Map(items.map((item) => [item, new Set()]));
for (const variable of scope.variables) {
  const targets = definitions.get(variable.name) || [];
  for (const reference of variable.references) {
    const from = itemAt(reference.identifier.start);
    if (!from) fail(`a reference to ${variable.name} outside any top-level item`);
    for (const target of targets) if (target !== from) edges.get(from).add(target);
  }
}

// The register list, cut down to the wanted trace modules.
const registered = list.elements.map((element) => {
  if (!element || element.type !== 'CallExpression' || element.callee.type !== 'Identifier' || element.arguments.length)
    fail(`an entry of register([...]) that is not a module call: ${element && src.slice(element.start, element.end)}`);
  const [definition] = definitions.get(element.callee.name) || [];
  if (!definition || !definition.path) fail(`register([...]) entry ${element.callee.name}() is not a module`);
  return {element, name: element.callee.name, path: definition.path};
});
const missing = keepPaths.filter((path) => !registered.some((r) => r.path === path));
if (missing.length) fail(`not registered by lib/index.js: ${missing.join(', ')}`);
const kept = registered.filter((r) => keepPaths.includes(r.path));
const lastItem = itemAt(last.start);
const dropped = new Set(registered.filter((r) => !keepPaths.includes(r.path)).map((r) => r.name));
// Only the list's own calls are dropped: a module named again elsewhere in lib/index.js keeps its edge.
const elsewhere = new Set();
for (const variable of scope.variables) {
  if (!dropped.has(variable.name)) continue;
  for (const reference of variable.references) {
    const at = reference.identifier.start;
    if (itemAt(at) === lastItem && !(list.start <= at && at < list.end)) elsewhere.add(variable.name);
  }
}
for (const target of [...edges.get(lastItem)]) {
  if (dropped.has(target.name) && !elsewhere.has(target.name)) edges.get(lastItem).delete(target);
}

const alive = new Set();
const stack = items.filter((item) => item.root);
while (stack.length) {
  const item = stack.pop();
  if (alive.has(item)) continue;
  alive.add(item);
  stack.push(...edges.get(item));
  if (item.kind !== 'export' && item.name) stack.push(...(exportsOf.get(item.name) || []));
}

const parts = body.body.map((statement) => {
  if (statement === last) {
    const entries = kept.map((r) => src.slice(r.element.start, r.element.end)).join(',');
    return src.slice(statement.start, list.start) + `[${entries}]` + src.slice(list.end, statement.end);
  }
  if (statement.type === 'VariableDeclaration') {
    const declarators = statement.declarations.filter((d) => alive.has(itemAt(d.start)));
    return declarators.length ? `${statement.kind} ${declarators.map((d) => src.slice(d.start, d.end)).join(',')};` : '';
  }
  return alive.has(itemAt(statement.start)) ? src.slice(statement.start, statement.end) : '';
});
const result = src.slice(0, body.start) + '{' + parts.join('') + '}' + src.slice(body.end);
// The result must parse as the module it replaces.
acorn.parse(result, {ecmaVersion: 'latest', sourceType: 'module'});
fs.writeFileSync(output, result);

const modules = items.filter((item) => item.path);
console.log(JSON.stringify({
  registered: registered.map((r) => r.path),
  kept: kept.map((r) => r.path),
  modules: modules.length,
  modules_kept: modules.filter((item) => alive.has(item)).length,
  roots: items.filter((item) => item.root).length,
  bytes_in: Buffer.byteLength(src),
  bytes_out: Buffer.byteLength(result),
}));
