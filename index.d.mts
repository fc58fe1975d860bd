// Types for the ESM entry (index.mjs): the same exports, plus the module as default.
import * as api from './index.js';

export * from './index.js';
export default api;
