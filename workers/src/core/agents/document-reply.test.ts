import { describe, expect, it } from 'vitest';
import { documentOf } from './document-reply.ts';

const README = '# calc\n\n```bash\nnpm test\n```\n\nDone.\n';

describe('the document in a reply', () => {
  it('keeps a bare document, with its own code blocks', () => {
    expect(documentOf(README)).toBe(README);
  });

  it('drops a fence around the whole reply', () => {
    expect(documentOf(`\`\`\`markdown\n${README}\`\`\``)).toBe(README);
    expect(documentOf(`\`\`\`\n${README}\`\`\`\n`)).toBe(README);
  });

  it('drops prose before and after a markdown fence', () => {
    expect(documentOf(`Here is the README:\n\n\`\`\`md\n${README}\`\`\`\n\nWant changes?`)).toBe(README);
  });

  it('drops a reasoning block', () => {
    expect(documentOf(`<think>\nA short README.\n</think>\n${README}`)).toBe(README);
  });

  it('leaves a markdown block that is part of the document alone', () => {
    const doc = '# calc\n\nA README example:\n\n```markdown\n# Title\n```\n';
    expect(documentOf(doc)).toBe(doc);
  });
});
