/** Character codes the line-protocol scanner compares against (charCodeAt, no string allocation). */
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const PLUS = 43;
export const COMMA = 44;
export const MINUS = 45;
export const DOT = 46;
export const ZERO = 48;
export const NINE = 57;
export const EQUALS = 61;
export const UPPER_E = 69;
export const BACKSLASH = 92;
export const LOWER_E = 101;
export const DEL = 127;
