/*
 * Markdown to safe HTML for messages (the message center; 消息发布's preview).  Two locks:
 * marked renders raw HTML in the Markdown as text (escaped, never as markup), and DOMPurify
 * keeps only the tags and attributes listed below (no scripts, styles, event handlers, images,
 * forms, or javascript:/data: links); links open in a new tab without the opener.
 */
import { Marked } from 'marked';
import DOMPurify from 'dompurify';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

const md = new Marked({ gfm: true, breaks: true, async: false });
md.use({ renderer: { html(token) { return esc(token.raw != null ? token.raw : token.text); } } });

const TAGS = ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];

let hooked = false;
function purify(html) {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: TAGS, ALLOWED_ATTR: ['href', 'title'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/(?!\/)|#)/i,
  });
}

export function renderMarkdown(text) {
  return purify(md.parse(String(text || '')));
}
