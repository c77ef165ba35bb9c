import { formatJst } from '../../lib/clock.js';

/**
 * E-mail templates as pure functions. Subjects are fixed here, server-side (IPA #8: no user text in any
 * header); user-provided text (an organisation name) appears only in bodies. Japanese first, with a short
 * English line for recipients who do not read Japanese.
 */
export type MailTemplateData = {
  invitation: { orgName: string; roleLabel: string; acceptUrl: string; expiresAt: Date };
  magic_link: { url: string; minutes: number };
  password_reset: { url: string; minutes: number };
  password_changed: Record<string, never>;
  email_change_verify: { url: string };
  /** The new address is masked in the body: the notice goes to the old address, which may no longer be theirs. */
  email_changed_notice: { newEmail: string };
  mfa_reset_notice: Record<string, never>;
  /** SECURITY.md (IPA #6): role changes and removals are notified to the person concerned. */
  role_changed: { orgName: string; fromLabel: string; toLabel: string };
  membership_removed: { orgName: string };
  /** Sent when an application is submitted: the number identifies it in every later contact. */
  application_received: {
    number: string;
    programmeTitle: string;
    organisationName: string;
    submittedAt: Date;
    detailUrl: string;
  };
  /** To an organisation's admins when the secretariat decides on a programme submitted for publication. */
  programme_approved: { orgName: string; programmeTitle: string; url: string };
  programme_returned: { orgName: string; programmeTitle: string; comment: string; url: string };
  /**
   * A desk decision on an application (issue 3, item 4). `text` is the running organisation's editable body
   * for that decision, with placeholders ({氏名} …) filled here from `values`; the subject is fixed per kind.
   */
  application_decision: {
    kind: 'accepted' | 'waitlisted' | 'rejected' | 'enrolled';
    text: string;
    values: Record<DecisionPlaceholder, string>;
  };
  /**
   * To the running organisation's desk (admins and staff) when an applicant withdraws a submitted application.
   * No name or address of the applicant: the number and the desk link are enough, and the outbox keeps mails.
   * `effect` is what the withdrawal changes for the desk: an accepted place freed (promote from the waitlist on
   * the programme's list at `listUrl`), a place in the waitlist queue left, or nothing beyond the status.
   */
  application_withdrawn: {
    number: string;
    programmeTitle: string;
    previousStatusLabel: string;
    withdrawnAt: Date;
    detailUrl: string;
    effect: { kind: 'seat_freed'; listUrl: string } | { kind: 'left_waitlist' } | { kind: 'none' };
  };
  /**
   * To an earner when a badge (Open Badges 3.0 completion certificate) is issued to them (issue 4 §4): the claim
   * link opens the badge's page, where they can download it and add it to their profile. `corrected` when the
   * badge replaces an earlier one that had a mistake.
   */
  badge_issued: {
    recipientName: string;
    achievementName: string;
    issuerName: string;
    claimUrl: string;
    corrected: boolean;
  };
};

/** Placeholders an organisation may use in its decision mail text, filled server-side when rendering. */
export const DECISION_PLACEHOLDERS = ['氏名', 'プログラム名', '申込番号', '組織名'] as const;
export type DecisionPlaceholder = (typeof DECISION_PLACEHOLDERS)[number];

export type TemplateName = keyof MailTemplateData;
export type RenderedMail = { subject: string; text: string };

export const templateNames = [
  'invitation',
  'magic_link',
  'password_reset',
  'password_changed',
  'email_change_verify',
  'email_changed_notice',
  'mfa_reset_notice',
  'role_changed',
  'membership_removed',
  'application_received',
  'application_withdrawn',
  'programme_approved',
  'programme_returned',
  'application_decision',
  'badge_issued',
] as const satisfies readonly TemplateName[];

const SIGNATURE = [
  '--',
  'マナビDX Quest 事務局',
  'このメールは送信専用アドレスから自動で送信しています。ご返信いただいてもお答えできません。',
  'This message was sent automatically; replies are not read.',
].join('\n');

const IF_NOT_YOU =
  'お心当たりがない場合は、このメールを破棄してください。\n' +
  'If you did not request this, you can ignore this message.';

const CONTACT_IF_NOT_YOU =
  'この操作にお心当たりがない場合は、至急、事務局までご連絡ください。\n' +
  'If this was not you, contact the secretariat immediately.';

/** A value interpolated into a body stays on its line: control characters (CR/LF, tabs) become spaces. */
function inline(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Links in our mails are built by the server from BASE_URL; anything else is a bug, not a mail to send. */
function link(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('mail link must be http(s)');
  return u.toString();
}

/** t***@example.com: enough for the owner to recognise the address, not enough to hand it to a reader. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***@${email.slice(at + 1)}`;
}

function mail(subject: string, ...paragraphs: string[]): RenderedMail {
  return { subject, text: `${[...paragraphs, SIGNATURE].join('\n\n')}\n` };
}

const renderers: { [K in TemplateName]: (d: MailTemplateData[K]) => RenderedMail } = {
  invitation: (d) =>
    mail(
      '【マナビDX Quest】事務局システムへのご招待',
      `「${inline(d.orgName)}」の${inline(d.roleLabel)}として、マナビDX Quest 事務局システムに招待されました。`,
      `次のリンクから招待を承諾し、アカウントを設定してください。\n${link(d.acceptUrl)}`,
      `このリンクの有効期限は ${formatJst(d.expiresAt)} (日本時間) です。`,
      'You have been invited to the Manabi DX Quest secretariat system. Open the link above to accept.',
      IF_NOT_YOU,
    ),
  magic_link: (d) =>
    mail(
      '【マナビDX Quest】ログイン用リンクのお知らせ',
      `次のリンクからログインしてください。リンクの有効期限は ${d.minutes} 分で、一度だけ使えます。\n${link(d.url)}`,
      `Sign-in link: valid for ${d.minutes} minutes, usable once.`,
      IF_NOT_YOU,
    ),
  password_reset: (d) =>
    mail(
      '【マナビDX Quest】パスワード再設定のご案内',
      `パスワードの再設定を受け付けました。次のリンクから新しいパスワードを設定してください。リンクの有効期限は ${d.minutes} 分で、一度だけ使えます。\n${link(d.url)}`,
      `Password reset link: valid for ${d.minutes} minutes, usable once.`,
      IF_NOT_YOU,
    ),
  password_changed: () =>
    mail(
      '【マナビDX Quest】パスワードが変更されました',
      'お使いのアカウントのパスワードが変更されました。',
      'The password of your account was changed.',
      CONTACT_IF_NOT_YOU,
    ),
  email_change_verify: (d) =>
    mail(
      '【マナビDX Quest】メールアドレス変更の確認',
      `メールアドレスの変更を受け付けました。変更を完了するには、次のリンクを開いてください。\n${link(d.url)}`,
      'Open the link above to confirm your new e-mail address.',
      IF_NOT_YOU,
    ),
  email_changed_notice: (d) =>
    mail(
      '【マナビDX Quest】メールアドレスが変更されました',
      `お使いのアカウントのメールアドレスが ${maskEmail(inline(d.newEmail))} に変更されました。今後のお知らせは新しいアドレスにお送りします。`,
      'The e-mail address of your account was changed.',
      CONTACT_IF_NOT_YOU,
    ),
  mfa_reset_notice: () =>
    mail(
      '【マナビDX Quest】2段階認証の設定がリセットされました',
      'お使いのアカウントの2段階認証 (認証アプリ) の設定がリセットされました。次回ログイン時に、改めて設定してください。',
      'The two-step verification of your account was reset. Set it up again at your next sign-in.',
      CONTACT_IF_NOT_YOU,
    ),
  role_changed: (d) =>
    mail(
      '【マナビDX Quest】権限が変更されました',
      `「${inline(d.orgName)}」でのあなたの役割が「${inline(d.fromLabel)}」から「${inline(d.toLabel)}」に変更されました。`,
      'Your role in an organisation on the Manabi DX Quest system was changed.',
      CONTACT_IF_NOT_YOU,
    ),
  membership_removed: (d) =>
    mail(
      '【マナビDX Quest】組織のメンバーから外れました',
      `「${inline(d.orgName)}」のメンバーから外れました。この組織の情報にはアクセスできなくなります。`,
      'You were removed from an organisation on the Manabi DX Quest system.',
      CONTACT_IF_NOT_YOU,
    ),
  // No name in the body: the outbox keeps mails, and the number is enough for the applicant to recognise it.
  application_received: (d) =>
    mail(
      '【マナビDX Quest】お申込みを受け付けました',
      `「${inline(d.programmeTitle)}」(運営: ${inline(d.organisationName)})へのお申込みを受け付けました。`,
      `申込番号: ${inline(d.number)}\n受付日時: ${formatJst(d.submittedAt)} (日本時間)`,
      `選考の結果は、運営団体からあらためてお知らせします。申込みの状況は次のページで確認できます(ログインが必要です)。\n${link(d.detailUrl)}`,
      `We have received your application (number ${inline(d.number)}).`,
      CONTACT_IF_NOT_YOU,
    ),
  programme_approved: (d) =>
    mail(
      '【マナビDX Quest】プログラムの公開が承認されました',
      `「${inline(d.orgName)}」のプログラム「${inline(d.programmeTitle)}」の公開を事務局が承認しました。募集サイトに掲載されています。`,
      `プログラムの管理ページ:\n${link(d.url)}`,
      'The secretariat approved the publication of your programme.',
    ),
  // The comment is the secretariat's own text, kept with its line breaks; it stays in the body (IPA #8).
  programme_returned: (d) =>
    mail(
      '【マナビDX Quest】プログラムが差し戻されました',
      `「${inline(d.orgName)}」のプログラム「${inline(d.programmeTitle)}」が事務局から差し戻されました。内容を修正して、あらためて公開を申請してください。`,
      `事務局からのコメント:\n${d.comment.replace(/\r\n?/g, '\n')}`,
      `プログラムの管理ページ:\n${link(d.url)}`,
      'The secretariat sent your programme back with a comment. Please revise it and submit it again.',
    ),
  // Subjects name no decision (a shared inbox or a lock screen shows subjects); the body says it.
  application_decision: (d) =>
    mail(
      d.kind === 'enrolled' ? '【マナビDX Quest】受講確定のお知らせ' : '【マナビDX Quest】選考結果のお知らせ',
      fillPlaceholders(d.text, d.values),
      `申込番号: ${inline(d.values.申込番号)}\nプログラム: ${inline(d.values.プログラム名)}\n運営: ${inline(d.values.組織名)}`,
      'This message is about your application to a Manabi DX Quest programme.',
    ),
  // Two fixed subjects: a freed place is what the desk must act on soon (the waitlist), so it says so.
  application_withdrawn: (d) =>
    mail(
      d.effect.kind === 'seat_freed'
        ? '【マナビDX Quest】合格者の辞退がありました(補欠繰り上げのご確認)'
        : '【マナビDX Quest】申込みの取下げがありました',
      `「${inline(d.programmeTitle)}」への申込みが、申込者本人により取り下げられました(辞退・取下げ)。`,
      `申込番号: ${inline(d.number)}\n取下げ前の状態: ${inline(d.previousStatusLabel)}\n取下げ日時: ${formatJst(d.withdrawnAt)} (日本時間)`,
      ...withdrawalEffect(d.effect),
      `申込みの詳細は次のページで確認できます(ログインが必要です)。\n${link(d.detailUrl)}`,
      `An applicant withdrew application ${inline(d.number)}.`,
      'このメールは、このプログラムの申込みを担当する方(組織の管理者・職員)にお送りしています。',
    ),
  // The subject names no programme or person (a shared inbox shows subjects); the body says what was issued.
  badge_issued: (d) =>
    mail(
      d.corrected
        ? '【マナビDX Quest】デジタルバッジ(修了証)を再発行しました'
        : '【マナビDX Quest】デジタルバッジ(修了証)が発行されました',
      `${inline(d.recipientName)} 様`,
      d.corrected
        ? `「${inline(d.issuerName)}」が発行した「${inline(d.achievementName)}」のデジタルバッジに誤りがあったため、訂正したバッジを発行しました。以前のバッジは無効になりました。`
        : `「${inline(d.issuerName)}」から「${inline(d.achievementName)}」のデジタルバッジ(オープンバッジ 3.0 形式の修了証)が発行されました。`,
      `次のリンクからバッジを受け取ってください。バッジ画像のダウンロード、検証用のリンク、LinkedIn への追加ができます。\n${link(d.claimUrl)}`,
      'このリンクは受け取り用のため、他の方に共有しないでください。共有するときは、バッジのページの公開用リンクをお使いください。',
      'A digital badge (Open Badges 3.0) was issued to you. Open the link above to receive it.',
      IF_NOT_YOU,
    ),
};

function withdrawalEffect(e: MailTemplateData['application_withdrawn']['effect']): string[] {
  switch (e.kind) {
    case 'seat_freed':
      return [
        '合格者の辞退により、定員に空きが出ました。補欠の申込みがある場合は、次の申込み一覧から補欠の先頭を繰り上げて合格にできます。',
        `申込み一覧:\n${link(e.listUrl)}`,
      ];
    case 'left_waitlist':
      return ['補欠の申込みが取り下げられたため、この申込みは補欠の順番から外れました。'];
    case 'none':
      return [];
  }
}

/**
 * Fills {氏名} and the other placeholders in an organisation's text, in one pass: a value that itself reads
 * like a placeholder is not expanded again. Values stay on one line (inline); the text keeps its line
 * breaks but loses any other control character; unknown {…} are left as typed (the form refuses them).
 */
export function fillPlaceholders(text: string, values: Record<DecisionPlaceholder, string>): string {
  const names = DECISION_PLACEHOLDERS.join('|');
  return (
    text
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
      .replace(new RegExp(`\\{(${names})\\}`, 'g'), (_, k: DecisionPlaceholder) => inline(values[k] ?? ''))
  );
}

export function renderMail<K extends TemplateName>(name: K, data: MailTemplateData[K]): RenderedMail {
  return (renderers[name] as (d: MailTemplateData[K]) => RenderedMail)(data);
}
