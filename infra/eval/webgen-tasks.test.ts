import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseWebGenTasks, readWebGenTasks } from './webgen-tasks.ts';

const SAMPLE = fileURLToPath(new URL('./test/webgen-sample.jsonl', import.meta.url));

describe("reading WebGen-Bench's task files", () => {
  it('reads a JSON Lines file, skipping blank lines and keeping each ui_instruct as it is', () => {
    const tasks = readWebGenTasks(SAMPLE);
    expect(tasks.map((t) => t.id)).toEqual(['000001', '000002']);
    expect(tasks[0]!.instruction).toMatch(/^Please implement a personal expense tracker/);
    expect(tasks[1]!.uiInstruct).toHaveLength(2);
    expect(tasks[1]!.uiInstruct).toContainEqual(expect.objectContaining({ task: 'Click two cards.' }));
  });

  it('reads a JSON array, with numeric ids made strings', () => {
    const text = JSON.stringify([{ id: 7, instruction: ' A blog. ', ui_instruct: [] }]);
    expect(parseWebGenTasks(text)).toEqual([{ id: '7', instruction: 'A blog.', uiInstruct: [] }]);
  });

  it('says which line is wrong and why', () => {
    const ok = JSON.stringify({ id: 'a', instruction: 'x', ui_instruct: [] });
    expect(() => parseWebGenTasks(`${ok}\n{"id": "b", "ui_instruct": []}`, 'f.jsonl')).toThrow(
      'f.jsonl:2: task b has no instruction',
    );
    expect(() => parseWebGenTasks(`${ok}\n{oops`, 'f.jsonl')).toThrow('f.jsonl:2: not valid JSON');
    expect(() => parseWebGenTasks(`${ok}\n${ok}`, 'f.jsonl')).toThrow('the id a is used twice');
    expect(() => parseWebGenTasks('[{"id": 1, "instruction": "x"}]', 'f.json')).toThrow(
      'f.json[0]: task 1 has no ui_instruct',
    );
    expect(() => parseWebGenTasks('\n', 'f.jsonl')).toThrow('f.jsonl: no tasks');
  });
});
