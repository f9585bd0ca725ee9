// Just enough Markdown for the box's own documents (docs/privacy.md) to read as a page on the
// tablet: headings, paragraphs, lists, tables, **bold** and `code`. Links show their text
// (the documents they point to are not served). It builds nodes, never HTML strings, so no
// text can become markup.
export type Inline = { kind: 'text' | 'bold' | 'code'; text: string };
export type Block =
  | { kind: 'heading'; level: number; text: Inline[] }
  | { kind: 'paragraph'; text: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'table'; head: Inline[][]; rows: Inline[][][] };

export function inline(text: string): Inline[] {
  const out: Inline[] = [];
  // [text](url) keeps its text; then **bold** and `code` spans, in order of appearance.
  const plain = text.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1');
  const re = /\*\*([^*]+)\*\*|`([^`]+)`/g;
  let at = 0;
  for (let m = re.exec(plain); m; m = re.exec(plain)) {
    if (m.index > at) out.push({ kind: 'text', text: plain.slice(at, m.index) });
    out.push(m[1] !== undefined ? { kind: 'bold', text: m[1] } : { kind: 'code', text: m[2] });
    at = m.index + m[0].length;
  }
  if (at < plain.length) out.push({ kind: 'text', text: plain.slice(at) });
  return out;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  const lines = source.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1].length, text: inline(heading[2]) });
      i += 1;
      continue;
    }
    if (line.trimStart().startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i].trimStart().startsWith('|')) {
        const row = cells(lines[i]);
        // The |---|---| line under the head says nothing to a reader.
        if (!row.every((c) => /^:?-+:?$/.test(c))) rows.push(row);
        i += 1;
      }
      const [head = [], ...body] = rows;
      blocks.push({ kind: 'table', head: head.map(inline), rows: body.map((r) => r.map(inline)) });
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length && lines[i].trim() !== '' && !/^#{1,6}\s/.test(lines[i])) {
        const item = /^\s*[-*]\s+(.*)$/.exec(lines[i]);
        if (item) items.push(item[1]);
        else if (items.length > 0) items[items.length - 1] += ' ' + lines[i].trim();
        i += 1;
      }
      blocks.push({ kind: 'list', items: items.map(inline) });
      continue;
    }
    const text: string[] = [];
    while (
      i < lines.length &&
      lines[i].trim() !== '' &&
      !/^#{1,6}\s/.test(lines[i]) &&
      !lines[i].trimStart().startsWith('|') &&
      !/^\s*[-*]\s+/.test(lines[i])
    ) {
      text.push(lines[i].trim());
      i += 1;
    }
    blocks.push({ kind: 'paragraph', text: inline(text.join(' ')) });
  }
  return blocks;
}
