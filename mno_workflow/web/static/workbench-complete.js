// SOP workbench: completion of keys and values from the project's JSON Schema
// (docs/sop-language.schema.json, served at /pos/atelier/schema.json), for block-style YAML.
// The YAML path of the cursor is read from the indentation of the lines above it
// ("steps:" > "referral:" > "states:" > ...; "- " items are "[]"), then resolved in the schema
// ($ref, anyOf/oneOf, properties, additionalProperties for ids, items for lists).
// Keys: the properties allowed there (those already written in the mapping are left out), with
// their description. Values: enum / const / boolean values and the schema's examples.

const KEY_LINE = /^(\s*)(?:-\s+)?([A-Za-z_][\w]*)\s*:(.*)$/;

function deref(schema, node, seen = 0) {
  while (node && node.$ref && seen < 20) {
    const path = node.$ref.replace(/^#\//, "").split("/");
    node = path.reduce((n, k) => (n ? n[k] : undefined), schema);
    seen += 1;
  }
  return node || {};
}

// Every object/leaf schema a node may be (anyOf/oneOf/allOf flattened), references resolved.
function branches(schema, node, depth = 0) {
  node = deref(schema, node);
  if (depth > 8) return [node];
  const alts = [...(node.anyOf || []), ...(node.oneOf || []), ...(node.allOf || [])];
  if (!alts.length) return [node];
  const out = [node];
  for (const a of alts) out.push(...branches(schema, a, depth + 1));
  return out;
}

export function child(schema, nodes, segment) {
  const out = [];
  for (const n of nodes) {
    for (const b of branches(schema, n)) {
      if (segment === "[]") {
        if (b.items) out.push(b.items);
      } else if (b.properties && b.properties[segment]) {
        out.push(b.properties[segment]);
      } else if (b.additionalProperties && typeof b.additionalProperties === "object") {
        out.push(b.additionalProperties);
      }
    }
  }
  return out;
}

// The path of mapping keys (and "[]" for list items) that contains a line indented ``indent``.
// A list may sit at its key's own indentation ("key:" then "- item" below it, as PyYAML writes).
export function pathAt(doc, lineNo, indent, itemDash) {
  const path = [];
  let want = indent;
  let afterDash = !!itemDash;
  if (itemDash) path.unshift("[]");
  for (let n = lineNo - 1; n >= 1 && (want > 0 || afterDash); n--) {
    const text = doc.line(n).text;
    if (!text.trim() || text.trim().startsWith("#")) continue;
    const lead = text.length - text.trimStart().length;
    const dash = /^\s*-(\s|$)/.test(text);
    if (!(lead < want || (afterDash && lead === want && !dash))) continue;
    const m = KEY_LINE.exec(text);
    afterDash = false;
    if (m && !m[3].trim()) {
      // "key:" opening a block; a "- key:" line is also an item of the list above it
      path.unshift(m[2]);
      if (dash) { path.unshift("[]"); afterDash = true; }
    } else if (dash) {
      path.unshift("[]");
      afterDash = true;
    }
    want = lead;
  }
  return path;
}

function siblings(doc, lineNo, indent) {
  // keys written at ``indent`` in the mapping of line ``lineNo`` (a "- key:" line opens an item)
  const keys = new Set();
  for (const dir of [-1, 1]) {
    for (let n = lineNo + dir; n >= 1 && n <= doc.lines; n += dir) {
      const text = doc.line(n).text;
      if (!text.trim() || text.trim().startsWith("#")) continue;
      const lead = text.length - text.trimStart().length;
      const dash = /^(\s*-\s+)/.exec(text);
      const m = KEY_LINE.exec(text);
      if (dash && dash[1].length === indent) {
        if (dir < 0 && m) keys.add(m[2]);  // the first key of this item
        break;                             // another item (below) or the start of this one
      }
      if (lead < indent) break;
      if (lead === indent && m) keys.add(m[2]);
    }
  }
  return keys;
}

function describe(node) {
  const d = node.description || node.title || "";
  return d.length > 160 ? d.slice(0, 157) + "…" : d;
}

export function keyOptions(schema, nodes, present) {
  const seen = new Map();
  for (const n of nodes) {
    for (const b of branches(schema, n)) {
      for (const [k, v] of Object.entries(b.properties || {})) {
        if (!present.has(k) && !seen.has(k)) {
          seen.set(k, { label: k, type: "property", apply: k + ": ", info: describe(deref(schema, v)) });
        }
      }
    }
  }
  return [...seen.values()];
}

export function valueOptions(schema, nodes) {
  const out = new Map();
  const add = (v, type) => { const s = typeof v === "string" ? v : JSON.stringify(v); if (!out.has(s)) out.set(s, { label: s, type }); };
  for (const n of nodes) {
    for (const b of branches(schema, n)) {
      (b.enum || []).forEach((v) => add(v, "enum"));
      if (b.const !== undefined) add(b.const, "constant");
      if (b.type === "boolean") { add(true, "keyword"); add(false, "keyword"); }
      (b.examples || []).forEach((v) => { if (typeof v !== "object") add(v, "text"); });
    }
  }
  return [...out.values()];
}

// A CodeMirror completion source over ``schema`` (the parsed JSON Schema).
export function schemaCompletion(schema) {
  return (context) => {
    const doc = context.state.doc;
    const line = doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const keyPos = /^(\s*)(-\s+)?([A-Za-z_]\w*)?$/.exec(before);
    const valPos = /^(\s*)(-\s+)?([A-Za-z_]\w*)\s*:\s+([^\s{[#][^#]*)?$/.exec(before);
    if (keyPos) {
      const word = keyPos[3] || "";
      if (!word && !context.explicit) return null;
      const indent = keyPos[1].length + (keyPos[2] ? keyPos[2].length : 0);
      const path = pathAt(doc, line.number, keyPos[1].length, !!keyPos[2]);
      const nodes = path.reduce((ns, seg) => child(schema, ns, seg), [schema]);
      const options = keyOptions(schema, nodes, siblings(doc, line.number, indent));
      return options.length ? { from: context.pos - word.length, options, validFor: /^\w*$/ } : null;
    }
    if (valPos) {
      const word = valPos[4] || "";
      const path = pathAt(doc, line.number, valPos[1].length, !!valPos[2]);
      const nodes = child(schema, path.reduce((ns, seg) => child(schema, ns, seg), [schema]), valPos[3]);
      const options = valueOptions(schema, nodes);
      return options.length ? { from: context.pos - word.length, options } : null;
    }
    return null;
  };
}
