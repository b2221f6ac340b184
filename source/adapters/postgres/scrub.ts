/**
 * Removes a password from text bound for a message. The password is never handed to anything
 * that prints it, so this is a second line of defence, not the first.
 */
export function scrub(text: string, password: string | undefined): string {
	// A very short password would turn every matching letter into stars and hide the message.
	if (password === undefined || password.length < 4) {
		return text;
	}

	return text.split(password).join('***');
}
