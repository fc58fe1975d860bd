'use strict';
// The entry point '@actual-app/api/models' (as upstream's dist/models.js): types only,
// declared in models.d.ts; nothing at run time.
