import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type InstanceSettings,
  parseInstanceSettings,
  readInstanceSettings,
  settingItems,
} from "../../../clerk/instance-settings";
import type { Core } from "../../../emulator/src/core";
import { notEmulated, offeredSettings } from "../../../emulator/src/domain/instance-settings";
import { environmentJSON } from "../../../emulator/src/json/environment";
import {
  dashboardLocation,
  type EnvironmentJSON,
  itemsOfEnvironment,
  planInstanceSettings,
} from "../../../scripts/lib/instance-settings-plan";
import { FAPI_SPEC, loadContract } from "../../support/openapi-contract";

const contract = loadContract(FAPI_SPEC);
const dir = mkdtempSync(path.join(tmpdir(), "instance-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const declared = readInstanceSettings();

// Variations of the declared file, each a configuration Clerk allows.
const variant = (change: (s: InstanceSettings) => void): InstanceSettings => {
  const s = structuredClone(declared);
  change(s);
  return s;
};
const CONFIGURATIONS: Record<string, InstanceSettings> = {
  declared,
  "username + phone + MFA required": variant((s) => {
    s.identifiers.username = { enabled: true, required: true, sign_in: true };
    s.identifiers.phone_number = { enabled: true, required: false, sign_in: true };
    s.first_factors.phone_code = true;
    s.second_factors.phone_code = true;
    s.requirements.mfa_required = true;
  }),
  "first and last name required": variant((s) => {
    s.personal_information.first_and_last_name = { enabled: true, required: true };
  }),
  "no names": variant((s) => {
    s.personal_information.first_and_last_name = { enabled: false, required: false };
  }),
  "email codes only, no social": variant((s) => {
    s.first_factors = {
      password: false,
      email_code: true,
      email_link: false,
      phone_code: false,
      passkey: false,
    };
    s.social_connections = { google: false, github: false, microsoft: false };
    s.requirements.device_trust = false;
  }),
  "username only, with a password": variant((s) => {
    s.identifiers.email_address = {
      enabled: false,
      required: false,
      sign_in: false,
      verifications: { email_code: false, email_link: false },
    };
    s.identifiers.username = { enabled: true, required: true, sign_in: true };
    s.first_factors = { ...s.first_factors, email_code: false, email_link: false };
  }),
};

const envOf = (settings: InstanceSettings) =>
  environmentJSON({ applicationName: "Projects", settings, appOrigin: null }) as EnvironmentJSON & {
    auth_config: Record<string, unknown>;
    display_config: { preferred_sign_in_strategy: string };
    user_settings: { passkey_settings: { show_sign_in_button: boolean } };
  };

describe("clerk/instance-settings.json", () => {
  it("offers by default what a newcomer should see: email + password, codes, links, three social connections, passkeys, optional MFA, Device Trust", () => {
    expect(declared.identifiers.email_address).toEqual({
      enabled: true,
      required: true,
      sign_in: true,
      // Codes at sign-up: with a link on, Clerk's components would verify by link instead.
      verifications: { email_code: true, email_link: false },
    });
    expect(declared.identifiers.username.enabled).toBe(false);
    // Asked at sign-up, never demanded: the sign-ups the rest of the suite makes give no name.
    expect(declared.personal_information.first_and_last_name).toEqual({
      enabled: true,
      required: false,
    });
    expect(declared.identifiers.phone_number.enabled).toBe(false);
    expect(declared.first_factors).toMatchObject({
      password: true,
      email_code: true,
      email_link: true,
      passkey: true,
    });
    expect(declared.social_connections).toEqual({ google: true, github: true, microsoft: true });
    expect(declared.second_factors).toEqual({ totp: true, backup_code: true, phone_code: false });
    expect(declared.requirements).toEqual({
      mfa_required: false,
      device_trust: true,
      legal_consent: false,
    });
    expect(declared.organizations).toEqual({
      verified_domains: { enabled: true, automatic_invitation: true, automatic_suggestion: true },
      membership_required: false,
    });
  });

  it("names every problem of a bad file with its place", () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify(
        variant((s) => {
          s.identifiers.username = { enabled: false, required: true, sign_in: false };
          s.identifiers.phone_number.enabled = false;
          s.first_factors.phone_code = true;
          s.second_factors = { totp: false, backup_code: true, phone_code: false };
          s.requirements.mfa_required = true;
          (s.social_connections as Record<string, boolean>).myspace = true;
        }),
      ),
    );
    let message = "";
    try {
      readInstanceSettings(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`invalid instance settings ${file}`);
    expect(message).toContain('social_connections: Unrecognized key: "myspace"');
    const fixed = variant((s) => {
      s.identifiers.username = { enabled: false, required: true, sign_in: false };
      s.first_factors.phone_code = true;
      s.second_factors = { totp: false, backup_code: true, phone_code: false };
      s.requirements.mfa_required = true;
      s.first_factors.password = false;
      s.personal_information.first_and_last_name = { enabled: false, required: true };
      s.organizations.verified_domains = {
        enabled: false,
        automatic_invitation: true,
        automatic_suggestion: false,
      };
    });
    const parsed = parseInstanceSettings(fixed);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      "identifiers.username: is required or used to sign in, so it must be enabled",
      "personal_information.first_and_last_name: is required, so it must be enabled",
      "first_factors.phone_code: needs identifiers.phone_number enabled",
      "second_factors.backup_code: needs totp or phone_code too",
      "requirements.mfa_required: needs totp or phone_code as a second factor",
      "organizations.verified_domains.automatic_invitation: needs verified_domains.enabled",
      "requirements.device_trust: guards password sign-ins: needs first_factors.password",
    ]);
    expect(() => readInstanceSettings(path.join(dir, "missing.json"))).toThrow(
      /cannot read instance settings/,
    );
  });
});

describe("the environment the emulator builds from the settings", () => {
  it.each(Object.entries(CONFIGURATIONS))("is a Client.Environment for %s", (_, settings) => {
    const result = contract.validateComponent("Client.Environment", envOf(settings));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(Object.entries(CONFIGURATIONS))("says exactly what %s declares", (_, settings) => {
    const items = itemsOfEnvironment(envOf(settings));
    for (const { path, on } of settingItems(settings)) {
      if (path === "requirements.device_trust") expect(items.has(path)).toBe(false);
      else expect([path, items.get(path)]).toEqual([path, on]);
    }
  });

  it("lists social connections as Clerk names them, and none when they are off", () => {
    const on = envOf(declared).user_settings.social;
    expect(Object.keys(on)).toEqual(["oauth_google", "oauth_github", "oauth_microsoft"]);
    expect(on.oauth_github).toMatchObject({
      enabled: true,
      strategy: "oauth_github",
      name: "GitHub",
    });
    expect(
      envOf(CONFIGURATIONS["email codes only, no social"] as InstanceSettings).user_settings.social,
    ).toEqual({});
  });

  it("offers first and last name as the file says: optional, required or not at all", () => {
    const attrs = (name: string) => {
      const env = envOf(CONFIGURATIONS[name] as InstanceSettings);
      const a = env.user_settings.attributes;
      return [a.first_name, a.last_name, env.auth_config.first_name, env.auth_config.last_name];
    };
    const names = (enabled: boolean, required: boolean) =>
      expect.objectContaining({ enabled, required, used_for_first_factor: false });
    expect(attrs("declared")).toEqual([names(true, false), names(true, false), "on", "on"]);
    expect(attrs("first and last name required")).toEqual([
      names(true, true),
      names(true, true),
      "required",
      "required",
    ]);
    expect(attrs("no names")).toEqual([names(false, false), names(false, false), "off", "off"]);
  });

  it("makes username a sign-in identifier and prefers codes without passwords", () => {
    const withUsername = envOf(
      CONFIGURATIONS["username + phone + MFA required"] as InstanceSettings,
    );
    expect(withUsername.user_settings.attributes.username).toMatchObject({
      enabled: true,
      required: true,
      used_for_first_factor: true,
    });
    expect(withUsername.auth_config.username).toBe("required");
    const codes = envOf(CONFIGURATIONS["email codes only, no social"] as InstanceSettings);
    expect(codes.user_settings.attributes.password?.enabled).toBe(false);
    expect(codes.display_config.preferred_sign_in_strategy).toBe("otp");
    expect(codes.auth_config.first_factors).toEqual(["email_code"]);
  });
});

describe("what the emulator offers of the declared settings", () => {
  const core = (settings: InstanceSettings) => ({ instanceSettings: settings }) as unknown as Core;

  it("switches off every item it cannot serve yet, and keeps the rest as declared", () => {
    const offered = offeredSettings(core(declared));
    const left = new Set(notEmulated(declared));
    for (const { path, on } of settingItems(declared)) {
      const offeredItem = settingItems(offered).find((i) => i.path === path);
      expect([path, offeredItem?.on]).toEqual([path, left.has(path) ? false : on]);
    }
    expect(notEmulated(offered)).toEqual([]);
  });
});

describe("clerk:configure against a real instance", () => {
  it("says where in the Dashboard every item is set", () => {
    for (const settings of Object.values(CONFIGURATIONS)) {
      for (const { path } of settingItems(settings)) {
        expect(dashboardLocation(path)).toMatch(/ \(https:\/\/dashboard\.clerk\.com\/~\/\S+\)$/);
      }
    }
    expect(dashboardLocation("social_connections.github")).toContain(
      "SSO connections > Add connection > For all users > GitHub",
    );
    expect(dashboardLocation("organizations.verified_domains.automatic_suggestion")).toContain(
      "Organizations > Settings > Verified domains: Enrollment mode > Automatic suggestion",
    );
    expect(dashboardLocation("personal_information.first_and_last_name.required")).toContain(
      "User & authentication > Personal information > First and last name > Require first and last name",
    );
    expect(dashboardLocation("identifiers.username.sign_in")).toContain(
      "User & authentication > Username tab: Sign-in with username",
    );
  });

  it("lists only what the instance does not have as declared, and everything when it is unknown", () => {
    const current = itemsOfEnvironment(
      envOf(CONFIGURATIONS["email codes only, no social"] as InstanceSettings),
    );
    const steps = planInstanceSettings(declared, current);
    expect(steps.map((s) => [s.path, s.on, s.now])).toEqual([
      ["first_factors.password", true, false],
      ["first_factors.email_link", true, false],
      ["first_factors.passkey", true, false],
      ["social_connections.google", true, false],
      ["social_connections.github", true, false],
      ["social_connections.microsoft", true, false],
      ["requirements.device_trust", true, undefined],
    ]);
    expect(planInstanceSettings(declared, null)).toHaveLength(settingItems(declared).length);
    expect(planInstanceSettings(declared, itemsOfEnvironment(envOf(declared)))).toEqual([
      expect.objectContaining({ path: "requirements.device_trust" }),
    ]);
  });
});
