// The user guide's samples (api-tokens-user-guide.md), with require('@actual-app/api')
// replaced by this package. Checked by `tsc --strict`; a type error fails the test.
import api = require('actual-api-native');

async function usingTokens() {
  await api.init({
    dataDir: '/some/path',
    serverURL: 'http://localhost:5006',
    token: 'act_your_token_here',
  });

  await api.downloadBudget('your-budget-id');

  // ... your code here ...

  await api.shutdown();
}

async function storingTokensSecurely() {
  await api.init({
    dataDir: process.env.ACTUAL_DATA_DIR || './data',
    serverURL: process.env.ACTUAL_SERVER_URL,
    token: process.env.ACTUAL_API_TOKEN,
  });
}

async function errorHandling() {
  const { AuthError, TokenExpiredError, InvalidTokenError, TokenScopeError } = api;
  try {
    await api.init({
      serverURL: process.env.ACTUAL_SERVER_URL,
      token: process.env.ACTUAL_API_TOKEN,
    });
  } catch (error) {
    if (error instanceof TokenExpiredError) {
      console.error('Token has expired. Please create a new token.');
    } else if (error instanceof InvalidTokenError) {
      console.error('Invalid token. Check that you copied it correctly.');
    } else if (error instanceof TokenScopeError) {
      console.error('Token does not have access to this budget.');
    } else if (error instanceof AuthError) {
      console.error('Authentication failed:', error.message);
      const code: string = error.code;
      const status: number | undefined = error.status;
      const reason: string | undefined = error.reason;
      const details: string | undefined = error.details;
      console.error(code, status, reason, details);
    } else {
      throw error;
    }
  }
}

export { usingTokens, storingTokensSecurely, errorHandling };
