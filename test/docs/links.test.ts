/** The links of the user docs written alongside the tests here: files exist, anchors name headings. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDoc } from './markdown.js';

const PAGES = ['rules.md', 'api.md', 'operations.md', 'cli.md'];

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces → `-`. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

function anchors(markdown: string): Set<string> {
  const withoutBlocks = markdown.replace(/^```.*\n[\s\S]*?^```$/gm, '');
  return new Set([...withoutBlocks.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));
}

describe.each(PAGES)('links in docs/%s', (page) => {
  const text = readDoc(page).replace(/^```.*\n[\s\S]*?^```$/gm, '');
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));

  it.each(links)('%s', (target) => {
    const [file, anchor] = target.split('#') as [string, string | undefined];
    const path = file === '' ? page : file;
    expect(existsSync(new URL(`../../docs/${path}`, import.meta.url)), `${path} exists`).toBe(true);
    if (anchor !== undefined && path.endsWith('.md')) expect([...anchors(readDoc(path))]).toContain(anchor);
  });
});
