// Slack token rotation, worker side. The refresh activity trades the stored refresh token for a new
// pair and writes it to the token store; it returns only times, so the token never enters history.
// Only the slackTokenRotation singleton calls it, so workers never race for the one-time refresh token.
import { ApplicationFailure, log } from '@temporalio/activity';
import type { SlackClient } from '../vendors/slack';
import type { SlackTokenStore } from '../vendors/slackTokenStore';
import { vendorCall } from './shared/failures';

export interface SlackRotationDeps {
  client: SlackClient;
  store: SlackTokenStore;
  clientId: string;
  clientSecret: string;
  /** The install's first refresh token, used while the store is empty. */
  initialRefreshToken: string;
}

export interface SlackTokenTimes {
  refreshedAt: string;
  expiresAt: string;
  /** Life left at the time of the answer: the workflow plans with its own clock, not ours. */
  expiresInMs: number;
}

export function createSlackTokenActivities(deps: { slackRotation?: SlackRotationDeps }) {
  return {
    async slackRefreshToken(): Promise<SlackTokenTimes> {
      const rotation = deps.slackRotation;
      if (!rotation)
        throw ApplicationFailure.nonRetryable('Slack token rotation is not configured', 'NotConfigured');
      const current = rotation.store.read();
      const issued = await vendorCall('slack', 'oauth.v2.access', () =>
        rotation.client.refreshToken(
          rotation.clientId,
          rotation.clientSecret,
          current?.refreshToken ?? rotation.initialRefreshToken,
        ),
      );
      const now = Date.now();
      const times = {
        refreshedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + issued.expiresInSeconds * 1000).toISOString(),
      };
      rotation.store.write({ accessToken: issued.accessToken, refreshToken: issued.refreshToken, ...times });
      log.info('Slack token refreshed', times);
      return { ...times, expiresInMs: issued.expiresInSeconds * 1000 };
    },

    /** Age and expiry of the stored token (readiness, the rotation's first look). */
    async slackTokenTimes(): Promise<SlackTokenTimes | undefined> {
      const record = deps.slackRotation?.store.read();
      return (
        record && {
          refreshedAt: record.refreshedAt,
          expiresAt: record.expiresAt,
          expiresInMs: Date.parse(record.expiresAt) - Date.now(),
        }
      );
    },
  };
}
