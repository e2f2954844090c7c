/* The code lists, form definitions and validation rules of /field/codes.json, read from the
 * server's own definitions (the worker keeps a copy). Resolves to null when it cannot be had. */
const url = document.documentElement.dataset.codesUrl || "/field/codes.json";

let codes = null;
export const loadCodes = () => (codes ??= fetch(url).then((r) => r.json()).catch(() => null));
