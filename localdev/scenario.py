"""A day to rehearse (`cagnotte-admin dev scenario`): the local database filled
with what an operator meets on a real day, so that a new operator or developer
can try every command of the console.

Everything goes through the paths the platform itself uses, as the API and the
webhooks would call them: sign-ups as GoTrue writes them; every user act as
that user (role ``authenticated`` with the claims of their access token: RLS,
grants and the RPCs' rules apply); donations through the payment core
(``private.create_donation``, then the provider's event through
``private.record_payment_event``, as the webhooks service records it); photos
through the media notification (``private.register_media``); an invitation
accepted with the token its email carries. Two things only are written
directly, as the seed writes them: the first admin (nobody can grant it), and
the dates of the donations and campaigns, spread over the past weeks (the
database's clock cannot be turned back; totals and ledger are untouched).

It refuses to run twice on the same database (its accounts exist already) and
anywhere but on this machine.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from localdev import tokens

# The scenario's accounts: local databases only, so a shared password is fine.
PASSWORD = "cagnotte-locale"
EMAIL_DOMAIN = "scenario.africagnotte.local"
WEEKS = 6  # donations over the past six weeks
SEED = 20261130  # the same day every time


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    country: str
    locale: str = "fr"
    role: str | None = None  # platform role: admin, moderator
    bio: str | None = None

    @property
    def email(self) -> str:
        return f"{self.key}@{EMAIL_DOMAIN}"


PEOPLE = [
    Person(
        "khadija.ndiaye", "Khadija Ndiaye", "SN", role="admin", bio="Responsable des opérations."
    ),
    Person("mariam.kone", "Mariam Koné", "CI", role="moderator", bio="Modératrice, Abidjan."),
    Person("aminata.traore", "Aminata Traoré", "ML", bio="Infirmière à Bamako."),
    Person("ibrahim.coulibaly", "Ibrahim Coulibaly", "ML", bio="Oncle d'Aminata, trésorier."),
    Person("adjoa.mensah", "Adjoa Mensah", "ML", bio="Amie de la famille, trésorière."),
    Person("fatou.sow", "Fatou Sow", "SN", bio="Directrice d'école à Ziguinchor."),
    Person("kouassi.yao", "Kouassi Yao", "CI", bio="Couturier à Abobo."),
    Person("claire.dubois", "Claire Dubois", "FR", bio="Association des amis de Kaffrine."),
    Person("moussa.ba", "Moussa Ba", "SN", bio="Trésorier de l'association."),
    Person("jean.mbarga", "Jean-Baptiste Mbarga", "CM"),
    Person("cheikh.fall", "Cheikh Fall", "SN"),
    Person("moussa.diallo", "Moussa Diallo", "SN"),
    Person("aissatou.bah", "Aïssatou Bah", "GN"),
    Person("koffi.agbeko", "Koffi Agbeko", "TG"),
    Person("mariama.camara", "Mariama Camara", "SN"),
    Person("seydou.keita", "Seydou Keïta", "ML"),
    Person("nadege.kabore", "Nadège Kaboré", "BF"),
    Person("bakary.sanogo", "Bakary Sanogo", "CI", bio="Gagnez 500 000 F par jour !"),
]

DONORS = ["moussa.diallo", "aissatou.bah", "koffi.agbeko", "mariama.camara", "seydou.keita",
          "nadege.kabore", "cheikh.fall"]  # fmt: skip
GUESTS = ["Famille Diop", "Oumar", "Une voisine de Médina", "Les cousins de Thiès",
          "Association Teranga Lyon", "Paroisse Saint-Joseph"]  # fmt: skip
MESSAGES = ["Courage à toute la famille !", "Que Dieu vous bénisse.", "Bon rétablissement !",
            "Toutes nos pensées vous accompagnent.", None, None]  # fmt: skip
# Mobile money as CinetPay's check names the channel; cards through Stripe.
MOBILE_MONEY = ["OM", "MOMO", "WAVECI", "FLOOZ"]


@dataclass(frozen=True)
class Story:
    """A campaign of the day and where it stands."""

    key: str
    owner: str
    stage: str  # draft, pending_review, active
    title: str
    summary: str
    story: str
    goal: int  # minor units of the currency
    currency: str
    category: str
    country: str
    city: str
    tags: tuple[str, ...] = ()


STORIES = [
    Story(
        "coeur-aminata", "aminata.traore", "active", "Opération du cœur pour Aminata",
        "Aminata, 7 ans, doit être opérée du cœur à l'hôpital Gabriel-Touré de Bamako.",
        "Aminata est née avec une malformation cardiaque. L'équipe de chirurgie de l'hôpital "
        "Gabriel-Touré peut l'opérer en janvier, mais sa famille ne peut pas payer l'opération, "
        "les examens et les médicaments. Chaque don compte.",
        2_500_000, "XOF", "sante", "ML", "Bamako", ("santé", "enfant"),
    ),
    Story(
        "ecole-ziguinchor", "fatou.sow", "active", "Fournitures pour l'école de Ziguinchor",
        "Des cahiers, des livres et des tables-bancs pour 240 élèves du quartier Boucotte.",
        "Notre école accueille 240 enfants dans six classes. Avant la rentrée, il nous faut des "
        "manuels de lecture, des cahiers et trente tables-bancs. Les parents ont déjà réuni une "
        "partie de la somme.",
        1_500_000, "XOF", "education", "SN", "Ziguinchor", ("école", "enfants"),
    ),
    Story(
        "puits-kaffrine", "claire.dubois", "active", "Un puits pour le village de Kaffrine",
        "La diaspora de Lyon finance un puits pour 600 habitants près de Kaffrine.",
        "Les femmes du village marchent chaque jour deux heures pour chercher de l'eau. Avec "
        "l'association des amis de Kaffrine, nous finançons le forage, la pompe et la margelle, "
        "réalisés par une entreprise de Kaolack.",
        800_000, "EUR", "environnement", "SN", "Kaffrine", ("eau", "village"),
    ),
    Story(
        "atelier-abobo", "kouassi.yao", "active", "Atelier de couture à Abobo",
        "Trois machines à coudre pour former les jeunes du quartier.",
        "Je forme gratuitement les jeunes d'Abobo à la couture. Avec trois machines "
        "professionnelles, l'atelier pourrait accueillir douze apprentis et vendre ses "
        "créations au marché.",
        1_200_000, "XOF", "entrepreneuriat", "CI", "Abidjan", ("couture", "jeunesse"),
    ),
    Story(
        "mosquee-touba", "cheikh.fall", "pending_review", "Réfection de la mosquée du quartier",
        "Le toit de la mosquée du quartier Darou Khoudoss fuit depuis l'hivernage.",
        "Depuis les pluies de l'hivernage, le toit de la mosquée fuit et les murs s'abîment. "
        "Les fidèles ont fait établir un devis par un maçon du quartier pour refaire la "
        "toiture et la peinture.",
        3_000_000, "XOF", "religion-communaute", "SN", "Touba", ("mosquée", "quartier"),
    ),
    Story(
        "tournoi-pikine", "moussa.diallo", "pending_review", "Tournoi de football des jeunes",
        "Maillots, ballons et arbitres pour le tournoi des moins de 15 ans de Pikine.",
        "Chaque été, seize équipes de jeunes du quartier se retrouvent pour un tournoi. Cette "
        "année, il manque les maillots, les ballons et les frais d'arbitrage.",
        400_000, "XOF", "sport-culture", "SN", "Pikine", ("football", "jeunesse"),
    ),
    Story(
        "gains-faciles", "bakary.sanogo", "pending_review", "Doublez votre argent en 7 jours",
        "Envoyez 10 000 F et recevez 20 000 F la semaine prochaine, garanti !",
        "Ma méthode secrète permet de doubler n'importe quelle somme en une semaine. "
        "Participez vite, les places sont limitées, paiement par mobile money uniquement.",
        5_000_000, "XOF", "autre", "CI", "Abidjan", ("argent",),
    ),
    Story(
        "funerailles-mbarga", "jean.mbarga", "pending_review", "Funérailles de Papa Mbarga",
        "Aidez la famille Mbarga à organiser les funérailles de leur père à Yaoundé.",
        "Notre père nous a quittés le 20 novembre. La famille se réunit à Yaoundé pour les "
        "funérailles : transport du corps au village, accueil des proches et cérémonie.",
        1_000_000, "XAF", "funerailles", "CM", "Yaoundé", ("famille",),
    ),
    Story(
        "mariage-dakar", "mariama.camara", "draft", "Mariage de Mariam et Ousmane",
        "Un coup de pouce pour le mariage de Mariam et Ousmane.",
        "", 1_000_000, "XOF", "mariage-evenements", "SN", "Dakar", ("mariage",),
    ),
]  # fmt: skip


@dataclass
class Made:
    """What the scenario made: counts by kind, and the accounts to sign in with."""

    counts: Counter[str] = field(default_factory=Counter)
    accounts: list[dict[str, str | None]] = field(default_factory=list)
    campaigns: dict[str, str] = field(default_factory=dict)  # key -> slug

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": dict(sorted(self.counts.items())),
            "accounts": self.accounts,
            "campaigns": self.campaigns,
            "password": PASSWORD,
        }


class AlreadyMade(RuntimeError):
    """The scenario's accounts exist already in this database."""


def already_made(conn: psycopg.Connection) -> bool:
    row = conn.execute(
        "select exists (select 1 from auth.users where email like %s) as made",
        ["%@" + EMAIL_DOMAIN],
    ).fetchone()
    return bool(row and _value(row, "made"))


def _value(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else row[0]


class Day:
    """Builds the day on one connection, inside fill's transaction: each act is
    its own savepoint, as whom it acts."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.users: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, str] = {}  # campaign key -> id
        self.made = Made()
        self.random = random.Random(SEED)

    # Acting ------------------------------------------------------------------

    @contextmanager
    def as_user(self, key: str) -> Iterator[psycopg.Connection]:
        """One transaction as ``key`` through the API: role authenticated and the
        claims GoTrue puts in their access token."""
        claims = tokens.access_token_claims(self.users[key])
        with self.conn.transaction():
            self.conn.execute(
                "select set_config('request.jwt.claims', %s, true)", [json.dumps(claims)]
            )
            self.conn.execute("set local role authenticated")
            yield self.conn
            # inside the day's one transaction: back to the scenario's own role
            self.conn.execute("set local role none")
            self.conn.execute("select set_config('request.jwt.claims', '', true)")

    def one(self, key: str, query: str, params: Any = None) -> dict[str, Any]:
        with self.as_user(key) as conn:
            return conn.execute(query, params).fetchone()

    # People ------------------------------------------------------------------

    def sign_up(self, person: Person) -> None:
        """A confirmed email sign-up with a password, in GoTrue's rows (the
        profile trigger makes the profile from the metadata)."""
        metadata = {"full_name": person.name, "locale": person.locale}
        user_id = uuid.uuid4()
        with self.conn.transaction():
            row = self.conn.execute(
                """
                insert into auth.users (
                    instance_id, id, aud, role, email, encrypted_password,
                    raw_app_meta_data, raw_user_meta_data, email_confirmed_at,
                    confirmation_token, recovery_token, email_change_token_new, email_change,
                    is_sso_user, is_anonymous, created_at, updated_at
                ) values (
                    '00000000-0000-0000-0000-000000000000', %s, 'authenticated',
                    'authenticated', %s, extensions.crypt(%s, extensions.gen_salt('bf')),
                    %s, %s, now(), '', '', '', '', false, false, now(), now()
                )
                returning id, email, phone, raw_app_meta_data, raw_user_meta_data, is_anonymous
                """,
                [user_id, person.email, PASSWORD,
                 Jsonb({"provider": "email", "providers": ["email"]}), Jsonb(metadata)],
            ).fetchone()  # fmt: skip
            identity = {**metadata, "sub": str(user_id), "email": person.email,
                        "email_verified": True, "phone_verified": False}  # fmt: skip
            self.conn.execute(
                "insert into auth.identities (provider_id, user_id, identity_data, provider,"
                " last_sign_in_at, created_at, updated_at)"
                " values (%s, %s, %s, 'email', now(), now(), now())",
                [str(user_id), user_id, Jsonb(identity)],
            )
        self.users[person.key] = row
        with self.as_user(person.key) as conn:
            conn.execute(
                "update public.profiles set country = %s, bio = %s where id = auth.uid()",
                [person.country, person.bio],
            )
        self.made.counts["accounts"] += 1
        self.made.accounts.append({"email": person.email, "name": person.name, "role": person.role})

    def people(self) -> None:
        for person in PEOPLE:
            self.sign_up(person)
        admin = next(p for p in PEOPLE if p.role == "admin")
        # The first admin, as the seed makes it: nobody could grant it.
        self.conn.execute(
            "insert into public.user_roles (user_id, role) values (%s, 'admin')",
            [self.users[admin.key]["id"]],
        )
        for person in PEOPLE:
            if person.role and person is not admin:
                with self.as_user(admin.key) as conn:  # granted by the admin, through RLS
                    conn.execute(
                        "insert into public.user_roles (user_id, role) values (%s, %s)",
                        [self.users[person.key]["id"], person.role],
                    )

    # Campaigns ---------------------------------------------------------------

    def campaign(self, story: Story) -> str:
        row = self.one(
            story.owner,
            "insert into public.campaigns (title, summary, story, goal_amount, currency,"
            " category, country, city, tags) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " returning id, slug",
            [story.title, story.summary, story.story or None, story.goal, story.currency,
             story.category, story.country, story.city, list(story.tags)],
        )  # fmt: skip
        cid = str(row["id"])
        self.ids[story.key] = cid
        self.made.campaigns[story.key] = row["slug"]
        self.photo(cid, "photo-principale")
        if story.stage != "draft":
            self.one(story.owner, "select public.submit_campaign(%s)", [cid])
        if story.stage == "active":
            self.one("mariam.kone", "select public.approve_campaign(%s)", [cid])
        self.made.counts[f"campaigns_{story.stage}"] += 1
        return cid

    def photo(self, campaign_id: str, name: str) -> None:
        """A photo as Cloudinary's upload notification registers it (the service's path)."""
        public_id = f"africagnotte/campaigns/{campaign_id}/{name}"
        with self.conn.transaction():
            self.conn.execute(
                "select private.register_media(%s, 'image', 350000, 1600, 1200)", [public_id]
            )
        self.made.counts["media"] += 1

    def backdate(self, key: str, days: int) -> None:
        """The campaign created and published ``days`` ago (dates only)."""
        self.conn.execute(
            "update public.campaigns set created_at = now() - make_interval(days => %s),"
            " published_at = case when published_at is null then null"
            " else now() - make_interval(days => %s) + interval '2 hours' end"
            " where id = %s",
            [days, days, self.ids[key]],
        )

    # Money -------------------------------------------------------------------

    def donate(
        self, key: str, amount: int, *, provider: str, donor: str | None = None,
        days_ago: float = 0.0,
    ) -> None:  # fmt: skip
        """A donation as the checkout makes it and the provider's event pays it."""
        cid = self.ids[key]
        currency = self.conn.execute(
            "select currency from public.campaigns where id = %s", [cid]
        ).fetchone()["currency"]
        name = None if donor else self.random.choice(GUESTS)
        message = self.random.choice(MESSAGES)
        with self.conn.transaction():
            pledge = self.conn.execute(
                "select private.create_donation(campaign_id => %s, amount => %s, currency => %s,"
                " provider => %s, donor_id => %s, donor_name => %s, message => %s,"
                " is_anonymous => %s) as p",
                [cid, amount, currency, provider, self.users[donor]["id"] if donor else None,
                 name, message, self.random.random() < 0.15],
            ).fetchone()["p"]  # fmt: skip
        outcome = {"kind": "payment", "status": "succeeded", "amount": amount,
                   "currency": currency, "donation_id": pledge["donation_id"],
                   "attempt_id": pledge["attempt_id"]}  # fmt: skip
        if provider == "stripe":
            session = f"cs_test_scenario_{uuid.uuid4().hex[:16]}"
            with self.conn.transaction():
                self.conn.execute(
                    "select private.attach_checkout(%s, %s)", [pledge["attempt_id"], session]
                )
            outcome |= {"session_ref": session, "fee": round(amount * 0.029) + 25}
            event = (
                "stripe",
                f"evt_scenario_{uuid.uuid4().hex[:16]}",
                "checkout.session.completed",
            )
        else:
            outcome |= {"payment_method": self.random.choice(MOBILE_MONEY)}
            event = ("cinetpay", f"{pledge['attempt_id']}:ACCEPTED", "notification.accepted")
        with self.conn.transaction():
            self.conn.execute(
                "select private.record_payment_event(%s, %s, %s, now(), false, %s, %s)",
                [*event, Jsonb({"scenario": True}), Jsonb(outcome)],
            )
            self.conn.execute(
                "update public.donations set created_at = now() - make_interval(secs => %s),"
                " succeeded_at = now() - make_interval(secs => %s) + interval '3 minutes'"
                " where id = %s",
                [days_ago * 86400, days_ago * 86400, pledge["donation_id"]],
            )
        self.made.counts[f"donations_{currency}"] += 1
        self.made.counts[
            "donations_card" if provider == "stripe" else "donations_mobile_money"
        ] += 1

    def donations(self, key: str, count: int, *, amounts: list[int], providers: list[str],
                  over_days: int) -> None:  # fmt: skip
        for i in range(count):
            donor = self.random.choice(DONORS) if self.random.random() < 0.6 else None
            self.donate(
                key, self.random.choice(amounts), provider=self.random.choice(providers),
                donor=donor, days_ago=over_days * (count - i) / count + self.random.random() / 3,
            )  # fmt: skip

    # The team, proofs, payouts ----------------------------------------------------

    def co_organizer(self, key: str, invitee: str) -> None:
        """Invited by the owner, accepted by the invitee with their email's token."""
        story = next(s for s in STORIES if s.key == key)
        invitation = self.one(
            story.owner,
            "select (public.invite_to_campaign(%s, %s, message => %s)).id as id",
            [self.ids[key], self.users[invitee]["email"], "Peux-tu m'aider à gérer la cagnotte ?"],
        )
        body = self.conn.execute(
            "select body from private.email_messages where dedupe_key like %s"
            " order by id desc limit 1",
            [f"invitation:{invitation['id']}:%"],
        ).fetchone()["body"]
        token = re.search(r"token=([A-Za-z0-9_-]+)", body).group(1)
        self.one(invitee, "select public.accept_invitation(%s)", [token])
        self.made.counts["co_organizers"] += 1

    def treasurers(self, key: str, names: list[str], quorum: int) -> None:
        story = next(s for s in STORIES if s.key == key)
        ids = [str(self.users[n]["id"]) for n in names]
        self.one(
            story.owner, "select public.set_treasurers(%s, %s::uuid[], %s::smallint)",
            [self.ids[key], ids, quorum],
        )  # fmt: skip

    def document(self, key: str, document_type: str, name: str) -> None:
        """A proof the team uploads (a private Cloudinary asset), waiting for review."""
        story = next(s for s in STORIES if s.key == key)
        cid = self.ids[key]
        self.one(
            story.owner,
            "insert into public.campaign_documents (campaign_id, document_type, file_ref)"
            " values (%s, %s, %s) returning id",
            [cid, document_type, f"africagnotte/documents/{cid}/{name}"],
        )
        self.made.counts["documents_pending"] += 1

    def payout(self, key: str, share: float, beneficiary: str, **destination: str) -> str:
        """The owner asks for ``share`` of what the campaign holds, in round figures,
        to a mobile-money wallet (mobile_operator, phone_number) or a bank account
        (bank_name, account_number)."""
        story = next(s for s in STORIES if s.key == key)
        available = self.conn.execute(
            "select private.available_balance(%s) as n", [self.ids[key]]
        ).fetchone()["n"]
        step = 5_000 if story.currency in ("XOF", "XAF") else 1_000
        amount = max(step, int(available * share) // step * step)
        method = "bank_account" if "account_number" in destination else "mobile_money"
        row = self.one(
            story.owner,
            "select (public.request_payout(campaign_id => %(campaign)s, amount => %(amount)s,"
            " method => %(method)s, beneficiary_name => %(beneficiary)s,"
            " bank_name => %(bank_name)s, account_number => %(account_number)s,"
            " mobile_operator => %(mobile_operator)s, phone_number => %(phone_number)s)).id as id",
            {"campaign": self.ids[key], "amount": amount, "method": method,
             "beneficiary": beneficiary, "bank_name": None, "account_number": None,
             "mobile_operator": None, "phone_number": None, **destination},
        )  # fmt: skip
        self.made.counts["payouts_requested"] += 1
        return str(row["id"])

    def treasurer_approves(self, payout_id: str, treasurer: str) -> None:
        self.one(treasurer, "select public.approve_payout_as_treasurer(%s)", [payout_id])
        self.made.counts["treasurer_approvals"] += 1

    # Talk and trouble -------------------------------------------------------------

    def comment(self, key: str, author: str, body: str) -> str:
        row = self.one(
            author,
            "insert into public.comments (campaign_id, body) values (%s, %s) returning id",
            [self.ids[key], body],
        )
        self.made.counts["comments"] += 1
        return str(row["id"])

    def report(self, reporter: str, reason: str, details: str, *, campaign: str | None = None,
               comment: str | None = None) -> None:  # fmt: skip
        self.one(
            reporter,
            "insert into public.reports (campaign_id, comment_id, reason, details)"
            " values (%s, %s, %s, %s) returning id",
            [self.ids[campaign] if campaign else None, comment, reason, details],
        )
        self.made.counts["reports_open"] += 1

    def hide(self, moderator: str, comment_id: str) -> None:
        """Hidden by staff, as `comments hide` does it."""
        self.one(
            moderator,
            "update public.comments set hidden = true where id = %s returning id",
            [comment_id],
        )

    # The day ---------------------------------------------------------------------

    def build(self) -> Made:
        self.people()
        for story in STORIES:
            self.campaign(story)
        for key, days in (("coeur-aminata", 40), ("ecole-ziguinchor", 35),
                          ("puits-kaffrine", 45), ("atelier-abobo", 20)):  # fmt: skip
            self.backdate(key, days)
        self.money()
        self.teams_and_payouts()
        self.talk()
        # An edit after approval, waiting for re-review (`campaigns review-edit`).
        self.one(
            "fatou.sow",
            "update public.campaigns set summary = %s where id = %s returning id",
            ["Des cahiers, des manuels et trente tables-bancs pour 240 élèves de Boucotte.",
             self.ids["ecole-ziguinchor"]],
        )  # fmt: skip
        self.made.counts["edits_to_review"] += 1
        return self.made

    def money(self) -> None:
        xof = [500, 1_000, 2_000, 2_500, 5_000, 10_000, 15_000, 25_000, 50_000, 100_000]
        self.donations("coeur-aminata", 18, amounts=xof, providers=["cinetpay", "cinetpay",
                       "stripe"], over_days=WEEKS * 7 - 2)  # fmt: skip
        self.donations("ecole-ziguinchor", 12, amounts=xof, providers=["cinetpay"], over_days=30)
        eur = [1_000, 2_000, 2_500, 5_000, 10_000, 20_000]  # cents: 10 € to 200 €
        self.donations("puits-kaffrine", 14, amounts=eur, providers=["stripe"], over_days=40)
        self.donations("atelier-abobo", 6, amounts=xof, providers=["cinetpay", "stripe"],
                       over_days=18)  # fmt: skip

    def teams_and_payouts(self) -> None:
        # Aminata's: two treasurers, both must sign (four eyes); one has signed.
        for invitee in ("ibrahim.coulibaly", "adjoa.mensah"):
            self.co_organizer("coeur-aminata", invitee)
        self.treasurers("coeur-aminata", ["ibrahim.coulibaly", "adjoa.mensah"], 2)
        self.document("coeur-aminata", "medical_document", "devis-gabriel-toure")
        first = self.payout(
            "coeur-aminata", 0.6, "Aminata Traoré",
            mobile_operator="orange_money", phone_number="+22370123456",
        )  # fmt: skip
        self.treasurer_approves(first, "ibrahim.coulibaly")
        self.made.counts["payouts_waiting_on_treasurers"] += 1
        # The school's: its proof waits for review.
        self.document("ecole-ziguinchor", "school_letter", "lettre-inspection-academique")
        self.payout(
            "ecole-ziguinchor", 0.5, "Fatou Sow",
            mobile_operator="wave", phone_number="+221771234567",
        )  # fmt: skip
        # The well's: its treasurer has signed; the admin decides (and pays).
        self.co_organizer("puits-kaffrine", "moussa.ba")
        self.treasurers("puits-kaffrine", ["moussa.ba"], 1)
        ready = self.payout(
            "puits-kaffrine", 0.5, "Groupement des femmes de Kaffrine",
            bank_name="Banque de l'Habitat du Sénégal",
            account_number="SN08SN0100152000048500003035",
        )  # fmt: skip
        self.treasurer_approves(ready, "moussa.ba")
        self.made.counts["payouts_waiting_on_admin"] += 1

    def talk(self) -> None:
        self.comment(
            "coeur-aminata", "moussa.diallo", "Courage Aminata, tout le quartier prie pour toi."
        )
        self.comment("coeur-aminata", "aissatou.bah", "Partagé dans le groupe de la tontine !")
        self.comment("puits-kaffrine", "koffi.agbeko", "Bravo pour ce beau projet.")
        self.comment("ecole-ziguinchor", "nadege.kabore", "Les enfants le méritent.")
        # Spam under Aminata's campaign: three people report it, the reports hide it.
        spam = self.comment(
            "coeur-aminata", "bakary.sanogo",
            "Gagnez 500 000 F par jour depuis chez vous, écrivez-moi sur WhatsApp !",
        )  # fmt: skip
        for reporter in ("moussa.diallo", "mariama.camara", "seydou.keita"):
            self.report(reporter, "spam", "Publicité pour une arnaque.", comment=spam)
        self.made.counts["comments_hidden"] += 1
        # An insult, reported once: still visible, for the moderator to hide.
        rude = self.comment(
            "atelier-abobo", "bakary.sanogo", "Arnaqueur ! Personne ne verra cet argent."
        )
        self.report("koffi.agbeko", "harassment", "Insulte envers l'organisateur.", comment=rude)
        # A moderator already hid another one.
        hidden = self.comment("puits-kaffrine", "bakary.sanogo", "Cliquez ici : bit.ly/gagner-vite")
        self.hide("mariam.kone", hidden)
        self.made.counts["comments_hidden"] += 1
        # Doubts about the workshop: two people report the campaign itself.
        self.report("aissatou.bah", "fraud", "Les photos des machines viennent d'un site de vente.",
                    campaign="atelier-abobo")  # fmt: skip
        self.report("cheikh.fall", "misinformation", "L'atelier n'existe pas à cette adresse.",
                    campaign="atelier-abobo")  # fmt: skip


def fill(conn: psycopg.Connection) -> Made:
    """The day in this database, in one transaction (all of it or nothing: a
    refusal half-way leaves the database as it was); AlreadyMade when it is
    there already."""
    with conn.transaction():
        if already_made(conn):
            raise AlreadyMade(EMAIL_DOMAIN)
        return Day(conn).build()
