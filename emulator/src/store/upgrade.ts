import type {
  EmulatorState,
  SessionRecord,
  SignInRecord,
  SignUpRecord,
  UserRecord,
} from "./records";

type Writable<T> = { -readonly [K in keyof T]: T[K] };

// A state file written by an older emulator lacks the fields added since: each gets the value the
// record would have had then (a user had no phone numbers, a session verified its first factor when
// it was created), so every other module can rely on the types in records.ts.
export function upgradeState(state: EmulatorState): EmulatorState {
  for (const user of Object.values(state.users) as Writable<UserRecord>[]) {
    user.phoneNumbers ??= [];
    user.primaryPhoneNumberId ??= null;
    user.totp ??= null;
    user.backupCodes ??= null;
    user.passkeys ??= [];
    user.mfaEnabledAt ??= null;
    user.mfaDisabledAt ??= null;
  }
  for (const session of Object.values(state.sessions) as Writable<SessionRecord>[]) {
    session.firstFactorVerifiedAt ??= session.createdAt;
    session.secondFactorVerifiedAt ??= null;
    session.reverification ??= null;
  }
  for (const signIn of Object.values(state.signIns) as Writable<SignInRecord>[]) {
    signIn.secondFactorVerification ??= null;
  }
  for (const signUp of Object.values(state.signUps) as Writable<SignUpRecord>[]) {
    signUp.username ??= null;
    signUp.phoneNumber ??= null;
    signUp.phoneVerification ??= null;
  }
  return state;
}
