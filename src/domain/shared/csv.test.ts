import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula, writeCsv } from './csv.js';

describe('the one CSV writer', () => {
  it('neutralises formulas the OWASP way: = + - @ tab CR at the start of a text cell', () => {
    for (const bad of ['=HYPERLINK("http://x","clic")', '+cmd|x', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
      expect(neutraliseFormula(bad), JSON.stringify(bad)).toBe(`'${bad}`);
    for (const fine of ['Guise', '', '+33 3 23 61 00 00', '-1,5', '- 12', 'a=b'])
      expect(neutraliseFormula(fine)).toBe(fine);
  });

  it('quotes what needs quoting, keeps numbers bare, and reads back with a real CSV parser', () => {
    const text = writeCsv(
      [
        ['nom', 'lon', 'commentaire'],
        ['Saint-Quentin, "centre"', -0.34742, '=HYPERLINK("http://evil","x")'],
        ['Ligne\nsuivante', 3.29, null],
      ],
      { quoteText: true },
    );
    expect(text.split('\n')[1]).toContain(',-0.34742,');
    const back = parse(text) as string[][];
    expect(back[1]).toEqual(['Saint-Quentin, "centre"', '-0.34742', `'=HYPERLINK("http://evil","x")`]);
    expect(back[2]).toEqual(['Ligne\nsuivante', '3.29', '']);
  });

  it('French spreadsheet variant: semicolons, CRLF and a BOM', () => {
    const text = writeCsv(
      [
        ['a', 'b'],
        ['1;2', '@x'],
      ],
      { delimiter: ';', recordDelimiter: '\r\n', bom: true },
    );
    expect(text).toBe('\uFEFFa;b\r\n"1;2";\'@x\r\n');
  });
});
