import {adoptCommand} from '../adopt-command.js';

export async function baselineCommand(args: string[]): Promise<number> {
	return adoptCommand('baseline', args);
}
