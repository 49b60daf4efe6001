import XCTest
@testable import Redaction

/// Fixes from session 11, taken from the misses probe round 10 found and left open (REDACTION.md
/// §13): password flags whose letter means "password" only for some commands, labels with a
/// qualifier, passcodes and access codes, "the password of X is Y" in other languages, and URL
/// passwords holding a raw `@`. Each positive case failed before its fix.
final class Session11Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testPasswordFlagsOfParticularCommands() {
        assertFinds("Str0ngPassw0rd!", as: .secret, in: "sqlcmd -S db01 -U sa -P Str0ngPassw0rd! -Q \"select 1\"")
        assertFinds("Str0ng!Pass", as: .secret, in: "Run `sqlcmd -S tcp:db01,1433 -U sa -P 'Str0ng!Pass' -d app` then check.")
        assertFinds("Str0ngPassw0rd!", as: .secret, in: "bcp dbo.t out t.dat -S db01 -U sa -P Str0ngPassw0rd! -c")
        assertFinds("Adm1nSecret99", as: .secret, in: "ldapsearch -x -H ldap://ldap.corp -D \"cn=admin,dc=corp\" -w Adm1nSecret99 -b dc=corp")
        assertFinds("L0ngS3cret!x", as: .secret, in: "ldapmodify -x -D cn=admin,dc=example,dc=org -w 'L0ngS3cret!x' -f change.ldif")
        assertFinds("Zipp3dSecret", as: .secret, in: "zip -P Zipp3dSecret archive.zip report.pdf")
        assertFinds("0penSesame99", as: .secret, in: "unzip -P 0penSesame99 secrets.zip")
        assertFinds("S3venZipPass", as: .secret, in: "7z a -pS3venZipPass -mhe=on backup.7z data/")
        assertFinds("Hunter2Archive", as: .secret, in: #""C:\Program Files\7-Zip\7z.exe" x backup.7z -pHunter2Archive -oC:\out"#)
        assertFinds("Smb4Pass99", as: .secret, in: "smbclient //fs01/share -U corp/jdoe%Smb4Pass99")
        assertFinds("HtPass2024x", as: .secret, in: "htpasswd -b -c /etc/nginx/.htpasswd admin HtPass2024x")
        assertFinds("Rabb1tPassw0rd", as: .secret, in: "rabbitmqctl add_user deploy Rabb1tPassw0rd")
        assertFinds("N3wGuestPass", as: .secret, in: "rabbitmqctl change_password guest N3wGuestPass")
        assertFinds("Pr0xyPass99", as: .secret, in: "curl --proxy-user proxyuser:Pr0xyPass99 https://example.com")
        assertFinds("Pr0xyPass99", as: .secret, in: "curl -U proxyuser:Pr0xyPass99 -x proxy:3128 https://example.com")
        assertFinds("W1ndowsPass!", as: .secret, in: #"net use Z: \\fs01\share /user:CORP\jdoe W1ndowsPass!"#)
        // The same letters in other commands, and variables, stay.
        assertClean("grep -P '\\d+' file.txt; mkdir -p /var/log/app; zip -r out.zip dir; wc -w file; ls -U")
        assertClean("mysql -h db -P 3306 -u root -p; ssh -p 2222 host; tar -czf a.tgz -P /etc; curl -b cookies.txt http://x")
        assertClean("zip -P $ZIP_PASSWORD out.zip a; ldapsearch -x -D cn=admin -w ${LDAP_PW} -b dc=x")
        assertClean("rabbitmqctl add_user admin")
    }

    func testQualifiedLabelsPasscodesAndAccessCodes() {
        assertFinds("Xk9#mQ2vL", as: .secret, in: "Password (temp): Xk9#mQ2vL")
        assertFinds("739201", as: .secret, in: "passcode: 739201")
        assertFinds("739201", as: .secret, in: #"{"passcode": "739201"}"#)
        assertFinds("ZX81-QQ72", as: .secret, in: "Access code: ZX81-QQ72")
        assertFinds("ZX81-QQ72", as: .secret, in: "access_code=ZX81-QQ72")
        assertClean("Password (optional): leave blank")
        assertClean("passcode: required; Access code: see below; zip_code: 94103; country_code: DE")
    }

    func testPasswordOfSomethingIsInOtherLanguages() {
        assertFinds("Gr8Sommer!", as: .secret, in: "Passwort für den Server ist Gr8Sommer!")
        assertFinds("Sonne2024!", as: .secret, in: "Das Passwort lautet: Sonne2024!")
        assertFinds("Estate2024!", as: .secret, in: "la password è Estate2024!")
        assertFinds("Estate2024!", as: .secret, in: "la password di accesso è Estate2024!")
        assertFinds("Verano2024!", as: .secret, in: "la contraseña de la cuenta es Verano2024!")
        assertFinds("Praia2024!", as: .secret, in: "a senha do usuário é Praia2024!")
        assertFinds("Zomer2024!", as: .secret, in: "het wachtwoord van de gebruiker is Zomer2024!")
        // Ordinary words of those languages after the same phrasing stay (and "für" is no value).
        assertClean("das Passwort für den Server ist abgelaufen")
        assertClean("le mot de passe de votre compte est expiré")
        assertClean("la password di accesso è scaduta")
        assertClean("a senha do usuário é obrigatória")
        assertClean("het wachtwoord van de gebruiker is verlopen")
        assertClean("la contraseña de tu cuenta es incorrecta")
    }

    func testURLPasswordsHoldingARawAtSign() {
        assertFinds("p@ss@w0rd", as: .secret, in: "postgres://app:p@ss@w0rd@db.internal:5432/app")
        assertFinds("S3cr@t!", as: .secret, in: "mongodb://admin:S3cr@t!@mongo1:27017,mongo2:27017/?replicaSet=rs0")
        assertFinds("R3d1s@Pass", as: .secret, in: "redis://:R3d1s@Pass@cache:6379/0 and mail ops@acme.io")
        // The query string's address is still an address of its own.
        assertFinds("a@b.com", as: .email, in: "https://user:pw1234@host.com/path?email=a@b.com")
        assertFinds("ops@acme.io", as: .email, in: "redis://:R3d1s@Pass@cache:6379/0 and mail ops@acme.io")
    }

    // Probe round 11 (a third blind corpus: REDACTION.md §15).

    func testPasswordWordsOfOtherScriptsAndLanguages() {
        assertFinds("1nzsNnTTXmlH9c8f", as: .secret, in: "Привет, мой пароль 1nzsNnTTXmlH9c8f, телефон +7 916 123-45-67")
        assertFinds("P@sSSw0rd182!", as: .secret, in: "مرحبا، كلمة المرور الخاصة بي هي P@sSSw0rd182! ورقم هاتفي")
        assertFinds("romaamsterdam61", as: .secret, in: "السلام عليكم، كلمة السر: romaamsterdam61 والجوال")
        assertFinds("Panda493*", as: .secret, in: "नमस्ते, मेरा पासवर्ड Panda493* है और मेरा फ़ोन नंबर")
        assertFinds("1yDoQjajgFwhgEvx", as: .secret, in: "Merhaba, şifrem 1yDoQjajgFwhgEvx ve IBAN numaram")
        assertFinds("cedarorange32", as: .secret, in: "Selam, parolam cedarorange32, telefonum")
        assertFinds("Warszawa1214!", as: .secret, in: "Hej, mitt lösenord är Warszawa1214! och mitt nummer")
        assertFinds("AkIbO95X4VcJMPK7", as: .secret, in: "Xin chào, mật khẩu của tôi là AkIbO95X4VcJMPK7 và số điện thoại")
        assertFinds("flNQBs3UmOUo9zlp", as: .secret, in: "パスワード「flNQBs3UmOUo9zlp」でログインしてください。")
        assertFinds("romaamsterdam49", as: .secret, in: "Oye, la clave del wifi es romaamsterdam49 y mi número")
        assertFinds("falcon_SCAJ.15", as: .secret, in: "ma la password dell'account è falcon_SCAJ.15. Chiamami")
        assertFinds("kirschenebula42", as: .secret, in: "pw is kirschenebula42, don't tell anyone")
        assertFinds("violet-lamp-battery-copper", as: .secret, in: "Hoi, mijn wachtwoord is violet-lamp-battery-copper en mijn IBAN")
        // Words of those languages, a label before the value, and short or plain ASCII words stay.
        assertClean("Привет, мой пароль не работает, помогите")
        assertClean("мой пароль от Wi-Fi: не помню")
        assertClean("كلمة المرور غير صحيحة")
        assertClean("the password is state-of-the-art")
        assertClean("la clave es la consistencia")
    }

    func testKeysAndPasswordsInCodeAndCommands() {
        assertFinds("zyV5o5gDDekZSUae", as: .secret, in: ##"{"fields":[{"selector":"#email","value":"a"},{"selector":"#password","value":"zyV5o5gDDekZSUae"}]}"##)
        assertFinds("cVromaLpUgaEKxfy", as: .secret, in: "$ sshpass -p cVromaLpUgaEKxfy ssh deploy@host")
        assertFinds("zpchdqxudkq", as: .secret, in: "mysql -u root -pzpchdqxudkq shop")
        assertFinds("tyKL9ETWJI!MtO", as: .secret, in: "$ echo tyKL9ETWJI!MtO | docker login ghcr.io -u octocat --password-stdin")
        assertFinds("falcon_HOy2.67", as: .secret, in: #"$secure = ConvertTo-SecureString "falcon_HOy2.67" -AsPlainText -Force"#)
        assertFinds("Delhi1734$", as: .secret, in: #"$mysqli = new mysqli("localhost", "root", "Delhi1734$", "shop");"#)
        assertFinds("SkARWsOBU8xJooL0", as: .secret, in: #"sql.Open("mysql", "root:SkARWsOBU8xJooL0@tcp(10.94.70.148:3306)/orders")"#)
        assertFinds("7657264982:AAesBeM8tnDsrNA8IvBQ4s7-cPkBeIIqsZ6", as: .secret,
                    in: "curl https://api.telegram.org/bot7657264982:AAesBeM8tnDsrNA8IvBQ4s7-cPkBeIIqsZ6/sendMessage")
        assertFinds("key-180106aa6bbe91a338d1bcff969490d0", as: .secret, in: #"curl_setopt($ch, CURLOPT_USERPWD, "api:key-180106aa6bbe91a338d1bcff969490d0");"#)
        let fcm = "AAAAVDYprne:APA91bikYXBIi3-ha_5Eo6NAbyeBbJYxMTiEugyyUJbbFqPQ8uiso4rLYXbuATBx1c0tSeG5300mpoa-2iE3YD7FvTt9PBTB7odTGuBkxS0wSdnG-QHd3dbm1G8-i39bO1TK3AOWBXK0"
        assertFinds(fcm, as: .secret, in: "FCM_SERVER_KEY=\(fcm)")
        // Not secrets: when a password was set, a Windows variable, an ordinary `echo`.
        assertClean("PasswordLastSet: 2024-05-28T20:28:49Z\npassword_changed_at: 1745498522558")
        assertClean("password=%DB_PASSWORD%")
        assertClean("echo done | tee log; new mysqli($host, $user, $pass, $db);")
    }

    func testNationalPhoneNumbersEndingInPairsAfterAPhoneWord() {
        assertFinds("22 122 51 35", as: .phone, in: "Telefon: 22 122 51 35.")
        assertFinds("22 990 46 10", as: .phone, in: "Dzień dobry, nr tel. 22 990 46 10, e-mail")
        assertFinds("91 213 02 91", as: .phone, in: "Mi móvil: 91 213 02 91.")
        assertFinds("91 768 49 73", as: .phone, in: "requester_phone: 91 768 49 73")
        assertFinds("22 136 60 47", as: .phone, in: #"{"tel":"22 136 60 47"}"#)
        assertFinds("0 (212) 529 93 10", as: .phone, in: "Selam, telefonum 0 (212) 529 93 10, sipariş no")
        // Without a phone word, and counts and dates in pairs, they stay.
        assertClean("score 10 20 30 40, ids 1 22 33 44, date 2024 01 02 03, room 22 122 51 35")
    }

    func testIBANsGroupedByDots() {
        assertFinds("DE08.3854.9770.1464.1030.66", as: .iban, in: "My IBAN with dots: DE08.3854.9770.1464.1030.66, thanks")
        assertFinds("NL96.UDC3.7044.2940.56", as: .iban, in: "Rekening: NL96.UDC3.7044.2940.56.")
        assertClean("DE00.0000.0000.0000.0000.00 and version 1.2.3.4")
    }

    func testSSNsAfterNamesEndingInSSN() {
        assertFinds("843135134", as: .usSSN, in: "applicant_ssn\t843135134")
        assertFinds("588447636", as: .usSSN, in: "spouseSsn: 588447636")
        assertClean("grassn 123456789, classn=183715476")
    }
}
