// Small helpers for sentences people read: the right article and the right plural.

/** `unknown` → `an unknown`, `permission` → `a permission`. */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/** `plural(1, 'finding')` → `1 finding`; `plural(2, 'finding')` → `2 findings`. */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`;
}
