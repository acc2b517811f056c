/** JSON columns are TEXT in both dialects; these keep the parse in one place. */
export function parseJsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function parseJsonStrings(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export const bool = (n: number): boolean => n !== 0;
export const int = (b: boolean): number => (b ? 1 : 0);
