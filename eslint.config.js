// ESLint flat config: the TypeScript and TSX in source/, screens/, test/ and bench/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
	{ignores: ['dist/', 'node_modules/']},
	{
		files: ['source/**/*.{ts,tsx}', 'screens/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}', 'bench/**/*.{ts,tsx}'],
		extends: [js.configs.recommended, ...tseslint.configs.recommended],
		plugins: {'react-hooks': reactHooks},
		// A disable comment that silences nothing is an error: each one names a real finding.
		linterOptions: {reportUnusedDisableDirectives: 'error'},
		rules: {
			// Sequential awaits are allowed where a comment says why (one connection, polling, order).
			'no-await-in-loop': 'error',
			'no-control-regex': 'error',
			'no-new': 'error',
			'@typescript-eslint/no-explicit-any': 'error',
			'react-hooks/rules-of-hooks': 'error',
			// Best-effort cleanup (a lock file, a temporary folder) ignores its failure with an empty catch.
			'no-empty': ['error', {allowEmptyCatch: true}],
			// A leading underscore marks what is left out on purpose, as in `const {type: _, ...rest} = event`.
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true}],
			// `let mounted` is read by a callback created before the value it is assigned exists.
			'prefer-const': ['error', {ignoreReadBeforeAssign: true}],
		},
	},
);
