/**
 * Decides in the page whether anything visible was rendered: a text node with a box on screen, or a
 * visible image, canvas, svg, video, form field or frame. It walks open shadow roots too, so an app
 * made of web components is not taken for a blank page.
 *
 * A string, not a function: the runner is compiled without the DOM's types, and the code runs in the
 * page, not here. It stops at the first visible thing, and after `MAX_NODES` nodes it answers true
 * (a page that big is not blank, and the check must stay cheap).
 */

/** Evaluates to true when something visible is on the page. */
export const RENDERED_EXPRESSION = String.raw`(() => {
  const MAX_NODES = 20000;
  const MEDIA = new Set(['IMG', 'CANVAS', 'SVG', 'VIDEO', 'INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'IFRAME', 'OBJECT', 'EMBED']);
  const HIDDEN = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'HEAD']);
  const filter = { acceptNode: (node) => node.nodeType === Node.ELEMENT_NODE && HIDDEN.has(node.tagName.toUpperCase()) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT };
  let seen = 0;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) return false;
    return el.checkVisibility ? el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) : true;
  };
  const textShown = (node) => {
    if (!node.data.trim() || !node.parentElement) return false;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && shown(node.parentElement);
  };
  const scan = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, filter);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (++seen > MAX_NODES) return true;
      if (node.nodeType === Node.TEXT_NODE) {
        if (textShown(node)) return true;
        continue;
      }
      if (MEDIA.has(node.tagName.toUpperCase()) && shown(node)) return true;
      if (node.shadowRoot && scan(node.shadowRoot)) return true;
    }
    return false;
  };
  return document.documentElement ? scan(document.documentElement) : false;
})()`;
