// What the Slack routes need from Slack's Web API: who clicked, whether they sit in the CAB group,
// and the message's response_url. Behind an interface so the routes are tested without a network.
import type { SlackClient } from '../vendors/slack';
import { fetchDispatcher, vendorFetch } from '../vendors/https';
import type { Actor } from './actions';

export interface SlackMessageBody {
  text: string;
  blocks?: object[];
  replace_original?: boolean;
  response_type?: 'ephemeral' | 'in_channel';
}

export interface SlackPeople {
  actor(userId: string): Promise<Actor>;
  inUsergroup(usergroup: string, userId: string): Promise<boolean>;
  respond(responseUrl: string, body: SlackMessageBody): Promise<void>;
}

/**
 * `responseUrlPrefix` guards the one URL taken from a payload: a response_url elsewhere than Slack's
 * hooks host (or the simulator's, in tests) is not fetched.
 */
export function slackPeople(
  client: SlackClient,
  responseUrlPrefix: string,
  extraCaPem?: string,
): SlackPeople {
  const dispatcher = fetchDispatcher(extraCaPem);
  return {
    actor: (userId) => client.userInfo(userId),
    inUsergroup: async (usergroup, userId) => (await client.usergroupMembers(usergroup)).includes(userId),
    async respond(responseUrl, body) {
      if (!responseUrl.startsWith(responseUrlPrefix))
        throw new Error(`response_url outside ${responseUrlPrefix} refused`);
      const { response } = await vendorFetch('slack', responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        timeoutMs: 5_000,
        dispatcher,
      });
      if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
    },
  };
}
