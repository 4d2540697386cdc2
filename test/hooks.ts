// Mocha root hooks shared by every test tier. Logs stay quiet unless LOG_LEVEL asks for them.
process.env.LOG_LEVEL ??= 'silent';
