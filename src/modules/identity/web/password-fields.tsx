import { TextField } from '../../../web/components/form.js';

export const NEW_PASSWORD_LABELS = { password: '新しいパスワード', confirm: '新しいパスワード(確認)' };

/** The new-password pair used by the reset and change forms: same limits as identity.schema newPassword. */
export function NewPasswordFields(props: { errors?: Record<string, string> | undefined }) {
  return (
    <>
      <TextField
        name="password"
        label={NEW_PASSWORD_LABELS.password}
        type="password"
        autocomplete="new-password"
        required
        minLength={8}
        maxLength={128}
        hint="8文字以上128文字以内(15文字以上を推奨)。よく使われるパスワードは使えません。"
        error={props.errors?.password}
      />
      <TextField
        name="confirm"
        label={NEW_PASSWORD_LABELS.confirm}
        type="password"
        autocomplete="new-password"
        required
        maxLength={128}
        error={props.errors?.confirm}
      />
    </>
  );
}
