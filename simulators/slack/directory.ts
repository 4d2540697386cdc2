// The simulated workspace's people and user groups, read through users.info and
// usergroups.users.list as Slack serves them.

export interface SlackUser {
  id: string;
  name: string;
  real_name: string;
  profile: { display_name: string; real_name: string };
}

function user(id: string, handle: string, displayName: string, realName: string): SlackUser {
  return {
    id,
    name: handle,
    real_name: realName,
    profile: { display_name: displayName, real_name: realName },
  };
}

export const SLACK_USERS: SlackUser[] = [
  user('U0SIMDANA1', 'dana', 'Dana', 'Dana Whitfield'),
  user('U0SIMSAM01', 'sam', 'Sam', 'Sam Okafor'),
  user('U0SIMLEE01', 'lee', '', 'Lee Marsh'),
];

/** `S0SIMCAB01` is the change advisory board: Dana sits on it, Sam does not. */
export const SLACK_USERGROUPS: Record<string, string[]> = {
  S0SIMCAB01: ['U0SIMDANA1', 'U0SIMLEE01'],
};
