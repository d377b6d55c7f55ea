/**
 * CodeMirror 6 for the code view. This module is only ever imported dynamically (code-editor.svelte),
 * so the editor and its language packages stay out of the pages' initial JavaScript.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
  type LanguageSupport,
} from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';

/** The language of a file by its extension, each loaded only when a file of its kind is opened. */
async function languageOf(path: string): Promise<LanguageSupport | null> {
  const ext = path.toLowerCase().split('.').pop() ?? '';
  switch (ext) {
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'jsx':
      return (await import('@codemirror/lang-javascript')).javascript({ jsx: ext === 'jsx' });
    case 'ts':
    case 'mts':
    case 'cts':
    case 'tsx':
      return (await import('@codemirror/lang-javascript')).javascript({
        typescript: true,
        jsx: ext === 'tsx',
      });
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'html':
    case 'htm':
    case 'svelte':
    case 'vue':
      return (await import('@codemirror/lang-html')).html();
    case 'css':
      return (await import('@codemirror/lang-css')).css();
    case 'md':
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
    default:
      return null;
  }
}

/** Colours come from the app's tokens (app.css), so the editor follows the light and dark themes. */
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword, tags.modifier], color: 'var(--color-code-keyword)' },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], color: 'var(--color-code-string)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--color-code-number)' },
  {
    tag: [tags.comment, tags.lineComment, tags.blockComment],
    color: 'var(--color-muted-foreground)',
    fontStyle: 'italic',
  },
  {
    tag: [tags.function(tags.variableName), tags.function(tags.propertyName)],
    color: 'var(--color-code-function)',
  },
  { tag: [tags.typeName, tags.className, tags.tagName], color: 'var(--color-code-type)' },
  { tag: [tags.propertyName, tags.attributeName], color: 'var(--color-code-property)' },
  { tag: tags.heading, fontWeight: 'bold', color: 'var(--color-code-keyword)' },
  { tag: tags.link, textDecoration: 'underline' },
  { tag: tags.invalid, color: 'var(--color-danger)' },
]);

const theme = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '13px',
    backgroundColor: 'var(--color-surface)',
    color: 'var(--color-foreground)',
  },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--color-foreground)' },
  '.cm-gutters': {
    backgroundColor: 'var(--color-surface-muted)',
    color: 'var(--color-muted-foreground)',
    border: 'none',
  },
  '.cm-activeLine, .cm-activeLineGutter': {
    backgroundColor: 'color-mix(in oklab, var(--color-primary) 7%, transparent)',
  },
  '&.cm-focused': { outline: '2px solid var(--color-ring)', outlineOffset: '-2px' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': {
    backgroundColor: 'color-mix(in oklab, var(--color-primary) 25%, transparent) !important',
  },
  '.cm-cursor': { borderLeftColor: 'var(--color-foreground)' },
});

export interface EditorOptions {
  parent: HTMLElement;
  path: string;
  content: string;
  readOnly: boolean;
  onChange: (content: string) => void;
  /** Ctrl/Cmd-S inside the editor. */
  onSave: () => void;
}

export interface EditorHandle {
  setContent(content: string): void;
  setReadOnly(readOnly: boolean): void;
  focus(): void;
  destroy(): void;
}

export function createEditor(options: EditorOptions): EditorHandle {
  const readOnly = new Compartment();
  const language = new Compartment();
  const extensions: Extension[] = [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    drawSelection(),
    history(),
    indentOnInput(),
    bracketMatching(),
    syntaxHighlighting(highlight),
    // Tab indents; Escape then Tab moves the focus on (CodeMirror's way out for keyboard users).
    keymap.of([
      { key: 'Mod-s', preventDefault: true, run: () => (options.onSave(), true) },
      ...defaultKeymap,
      ...historyKeymap,
      indentWithTab,
    ]),
    theme,
    EditorView.contentAttributes.of({ 'aria-label': `Contents of ${options.path}` }),
    readOnly.of([EditorState.readOnly.of(options.readOnly), EditorView.editable.of(!options.readOnly)]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) options.onChange(update.state.doc.toString());
    }),
    language.of([]),
  ];
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({ doc: options.content, extensions }),
  });
  let destroyed = false;
  // Highlighting arrives with the language's package; the text is there (and editable) before it.
  void languageOf(options.path)
    .then((support) => {
      if (support && !destroyed) view.dispatch({ effects: language.reconfigure(support) });
    })
    .catch(() => {});
  return {
    setContent(content) {
      if (content === view.state.doc.toString()) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: content } });
    },
    setReadOnly(value) {
      view.dispatch({
        effects: readOnly.reconfigure([EditorState.readOnly.of(value), EditorView.editable.of(!value)]),
      });
    },
    focus: () => view.focus(),
    destroy: () => {
      destroyed = true;
      view.destroy();
    },
  };
}
