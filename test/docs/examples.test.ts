// Runs every ```ts code block of the README and docs/*.md as a program, so the
// documented examples cannot rot. Blocks import from 'recurrent' exactly as a user
// would; here that specifier is pointed at the sources. A block whose first line is
// `// not-run` is skipped (for fragments that need a browser or long training).

import { describe, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'test', '.doc-examples');

function docFiles(): string[] {
  const files = [join(root, 'README.md')];
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const f of readdirSync(docs)) if (f.endsWith('.md')) files.push(join(docs, f));
  }
  return files;
}

function blocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```(ts|typescript)\n([\s\S]*?)^```/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(markdown)) !== null) {
    const code = m[2] as string;
    if (code.startsWith('// not-run')) continue;
    out.push({ code, line: markdown.slice(0, m.index).split('\n').length });
  }
  return out;
}

mkdirSync(outDir, { recursive: true });
for (const file of docFiles()) {
  const examples = blocks(readFileSync(file, 'utf8'));
  if (examples.length === 0) continue;
  describe(`examples in ${relative(root, file)}`, () => {
    examples.forEach(({ code, line }, i) => {
      it(`block at line ${line} runs`, async () => {
        const target = join(outDir, `${relative(root, file).replace(/[\\/.]/g, '_')}_${i}.ts`);
        const rel = (p: string): string => {
          const r = relative(outDir, join(root, 'src', p)).replace(/\\/g, '/');
          return r.startsWith('.') ? r : `./${r}`;
        };
        writeFileSync(target, code.replace(/from 'recurrent'/g, `from '${rel('index.js')}'`).replace(/from 'recurrent\/node'/g, `from '${rel('node/index.js')}'`));
        await import(pathToFileURL(target).href);
      });
    });
  });
}
