// RFC 4180 CSV for the audit export. A cell that a spreadsheet would run as a formula (=, +, -, @,
// tab, CR first) is prefixed with a quote mark, so an audit line written by hostile input cannot
// execute in the reader's spreadsheet (OWASP "CSV injection").
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;
