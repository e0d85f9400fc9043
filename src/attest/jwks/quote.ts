/**
 * Renders a value taken from an untrusted document for an audit-log `detail`: JSON-quoted (so
 * newlines and control characters cannot forge log lines) and cut to a short length (so a
 * hostile token cannot make the audit log grow without bound).
 */
export function quoteUntrusted(value: unknown, maxLength = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}…(${text.length} chars)` : text;
}
