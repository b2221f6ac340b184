import {TargetError} from '../../errors/index.js';

/** Keyword → value, as libpq's conninfo holds them (only the keywords given). */
export type Conninfo = Map<string, string>;

const scheme = /^postgres(?:ql)?:\/\//i;

export function isPostgresUrl(value: string): boolean {
	return scheme.test(value);
}

/**
 * Reads a URL the way libpq does: `postgresql://[user[:password]@][host][:port][/dbname][?k=v&…]`,
 * percent-decoded, query keywords being conninfo keywords (so `?host=/var/run/postgresql` names a
 * socket directory and wins over the host part). Not WHATWG URL: it rejects `postgres:///db` and
 * decodes hosts differently.
 */
export function parseConninfoUrl(url: string): Conninfo {
	const fail = (what: string) => new TargetError(`the PostgreSQL URL does not parse: ${what}`, {
		target: redactUrl(url),
		hint: 'write it as postgres://user@host:5432/dbname?sslmode=… (percent-encode special characters, e.g. %40 for @ in a password)',
	});
	// A password that fails to decode is named, never quoted.
	const decode = (text: string, secret = false) => {
		try {
			return decodeURIComponent(text);
		} catch {
			throw fail(secret ? 'invalid percent-encoding in the password' : `invalid percent-encoding in "${text}"`);
		}
	};

	const values: Conninfo = new Map();
	const set = (key: string, value: string) => {
		if (value !== '') {
			values.set(key, value);
		}
	};

	let rest = url.replace(scheme, '');
	const queryAt = rest.indexOf('?');
	const query = queryAt === -1 ? '' : rest.slice(queryAt + 1);
	rest = queryAt === -1 ? rest : rest.slice(0, queryAt);
	const pathAt = rest.indexOf('/');
	let netloc = pathAt === -1 ? rest : rest.slice(0, pathAt);
	const dbname = pathAt === -1 ? '' : rest.slice(pathAt + 1);

	// libpq takes the first @ as the end of the user part.
	const at = netloc.indexOf('@');
	if (at !== -1) {
		const userinfo = netloc.slice(0, at);
		netloc = netloc.slice(at + 1);
		const colon = userinfo.indexOf(':');
		set('user', decode(colon === -1 ? userinfo : userinfo.slice(0, colon)));
		if (colon !== -1) {
			set('password', decode(userinfo.slice(colon + 1), true));
		}
	}

	if (netloc.includes(',')) {
		throw new TargetError('cutover connects to one host, and the URL names several', {
			target: redactUrl(url),
			hint: 'name the one server to migrate (the primary) in the URL',
		});
	}

	const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(netloc);
	if (bracketed !== null) {
		set('host', bracketed[1] ?? '');
		set('port', decode(bracketed[2] ?? ''));
	} else if (netloc.startsWith('[')) {
		throw fail('an IPv6 address is missing its closing ]');
	} else {
		const colon = netloc.lastIndexOf(':');
		set('host', decode(colon === -1 ? netloc : netloc.slice(0, colon)));
		set('port', decode(colon === -1 ? '' : netloc.slice(colon + 1)));
	}

	set('dbname', decode(dbname));
	for (const pair of query.split('&')) {
		if (pair === '') {
			continue;
		}

		const equals = pair.indexOf('=');
		if (equals === -1) {
			throw fail(`the query parameter "${pair}" has no "="`);
		}

		const key = decode(pair.slice(0, equals));
		const value = decode(pair.slice(equals + 1), key === 'password');
		// libpq's one alias, kept for JDBC-style URLs.
		if (key === 'ssl' && value === 'true') {
			set('sslmode', 'require');
		} else {
			values.set(key, value);
		}
	}

	return values;
}

/** For messages: the URL with any password replaced. */
export function redactUrl(value: string): string {
	return value.replace(/(\/\/[^:/@?]*):[^@/?]*@/, '$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
}
