// Each line below must be a type error (checked with @ts-expect-error).
import api = require('actual-api-native');

// @ts-expect-error two credentials at once
api.init({ serverURL: 'http://x', password: 'a', token: 'act_x' });
// @ts-expect-error sessionToken beside token
api.init({ serverURL: 'http://x', sessionToken: 'a', token: 'act_x' });
// @ts-expect-error the sync id is a string
api.downloadBudget(42);
// @ts-expect-error native reads are typed: getAccounts takes no argument
api.getAccounts('not an argument it takes', 1, 2, 3);
